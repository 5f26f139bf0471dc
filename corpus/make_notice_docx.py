"""Regenerate corpus/docs/disability_services_notice.docx from the text below.

The .docx is committed (small); this script documents how it was made:
    python corpus/make_notice_docx.py
The text is original writing for minsheng's sample corpus.
"""
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

TITLE = "关于做好2024年残疾人康复服务和就业帮扶工作的通知"
SALUTATION = "各街道办事处、镇人民政府，区直有关单位："
INTRO = ("为进一步提升残疾人康复服务水平，帮助更多有劳动能力的残疾人实现就业增收，"
         "让残疾人共享改革发展成果，经区政府同意，现就做好今年有关工作通知如下。")
ITEMS = [
    ("一、扩大基本康复服务覆盖面",
     "各街道、镇要依托社区卫生服务中心和残疾人之家，为持证残疾人提供康复评估、功能训练和辅助器具适配服务，"
     "年内残疾人基本康复服务覆盖率达到百分之八十五以上。对零至六岁残疾儿童实施康复救助，"
     "区残联按每人每年一万二千元标准给予补助。"),
    ("二、多渠道促进残疾人就业",
     "落实按比例安排残疾人就业制度，机关事业单位要带头招录残疾人。各街道、镇要开发适合残疾人的公益性岗位，"
     "扶持残疾人从事电商、手工编织等灵活就业项目，并组织有就业意愿的残疾人参加职业技能培训，"
     "全年新增残疾人就业二百人以上。"),
    ("三、加快无障碍环境建设",
     "结合老旧小区改造和城市更新，同步推进居住小区、公共建筑和公交站点的无障碍设施改造。"
     "为有需求的困难重度残疾人家庭实施家庭无障碍改造，年内完成一百五十户，"
     "改造前要入户征求残疾人本人意见。"),
]
CLOSING = "请各单位于12月10日前将全年工作完成情况报送区残联康复就业科。"
SIGNATURE = ["澄川区残疾人联合会", "澄川区人力资源和社会保障局", "2024年3月8日"]


def build(path: Path) -> None:
    doc = Document()
    title = doc.add_paragraph(TITLE)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(SALUTATION)
    doc.add_paragraph(INTRO)
    for heading, body in ITEMS:
        doc.add_paragraph(heading)
        doc.add_paragraph(body)
    doc.add_paragraph(CLOSING)
    for line in SIGNATURE:
        p = doc.add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.core_properties.author = "minsheng"
    doc.save(str(path))


if __name__ == "__main__":
    build(Path(__file__).resolve().parent / "docs" / "disability_services_notice.docx")
