"""The pattern table: every extractor, in reading order (a number read by an earlier extractor is not read again)."""
from __future__ import annotations

from .extractors import (NORMAL_LFTS, age_sex, bilirubin, ki67_second, lesion_count, lesion_size, primary, sex_words,
                         site, sstr, stable)
from .hits import CMP, FILL, MAX, MIN, NUM, RANGE, Extractor, flag, number

_LIVER = r"(?:liver|hepatic)\s+(?:involvement|replacement|tumou?r\s+(?:burden|load|involvement|volume)|burden|" \
         r"invasion|disease\s+burden)"
_NOT_INVOLVEMENT = r"\b(?:resect\w*|remov\w*|remnant|FLR|spar\w*|preserv\w*|debulk\w*)\b"
_NOT_PLANNED = r"\b(?:planned|scheduled|candidate\s+for|consider\w*|plan|for|awaiting|needs?)\W*$"
EXTRACTORS: tuple[Extractor, ...] = (
    age_sex,
    number("ki67_pct", rf"\b(?:ki[\s-]?67|mib[\s-]?1)(?:\s*(?:proliferation|proliferative|labell?ing))?"
           rf"(?:\s*(?:rate|li|pi))?{FILL}{CMP}{NUM}{RANGE}\s*(?:%|percent|per\s*cent)?"
           r"(?!\s*(?:cm|mm|mg|µ|μ|umol|months?|years?|lesions?|metastas))", MAX),
    number("ki67_pct", rf"\bproliferat\w*\s+index{FILL}{CMP}{NUM}{RANGE}\s*%", MAX),
    ki67_second,
    number("flr_pct", r"\b(?:s?FLR|future\s+liver\s+remnant|future\s+remnant\s+liver(?:\s+volume)?|remnant\s+liver"
           rf"(?:\s+volume)?|liver\s+remnant)(?:\s*\(s?FLR\))?{FILL}{CMP}{NUM}{RANGE}\s*%", MIN),
    bilirubin,
    number("expected_postop_mortality_pct", r"\b(?:expected|estimated|predicted|anticipated)\s+(?:post[\s-]?operative"
           rf"\s+|peri[\s-]?operative\s+|surgical\s+)?mortality(?:\s+risk)?{FILL}{CMP}{NUM}{RANGE}\s*%", MAX),
    number("debulkable_pct", rf"{CMP}{NUM}{RANGE}\s*%\s*(?:of\s+(?:the\s+)?(?:hepatic\s+|liver\s+|visible\s+)?"
           r"(?:tumou?r|disease|metastases|metastatic\s+disease)(?:\s+(?:burden|volume|mass|load))?\s+)?"
           r"(?:(?:can|could|would|may|might)\s+)?(?:be\s+)?(?:debulk|cytoreduc|resect|remov|excis)\w*", MIN),
    number("debulkable_pct", rf"\b(?:debulking|cytoreduction)\s+(?:of\s+)?{CMP}{NUM}{RANGE}\s*%"
           r"(?!\s*of\s+(?:the\s+)?(?:total\s+)?liver)", MIN),
    number("debulkable_pct", rf"\b(?:debulk|resect|remov|cytoreduc)\w*\s+{CMP}{NUM}{RANGE}\s*%\s*of\s+(?:the\s+)?"
           r"(?:hepatic\s+|liver\s+)?(?:tumou?r|disease|metastases)", MIN),
    number("liver_involvement_pct", rf"{CMP}{NUM}{RANGE}\s*%\s*(?:of\s+(?:the\s+)?(?:total\s+)?(?:liver|hepatic\s+"
           rf"(?:volume|parenchyma))(?:\s+(?:volume|parenchyma))?|{_LIVER})", MAX, reject_before=_NOT_INVOLVEMENT),
    number("liver_involvement_pct", rf"\b{_LIVER}(?:\s+by\s+tumou?r)?{FILL}{CMP}{NUM}{RANGE}\s*%", MAX),
    # Vignette shorthand: "~40% liver, no EHD", "Ki-67 8%, 60% liver: transplant?" (the bare phrase, ended by
    # punctuation)
    number("liver_involvement_pct", rf"{CMP}{NUM}{RANGE}\s*%\s+liver(?=\s*(?:[,;.):?]|$))", MAX,
           reject_before=_NOT_INVOLVEMENT),
    # "<50% involvement" with no organ named: in a liver-metastasis vignette it is the liver's
    number("liver_involvement_pct", rf"{CMP}{NUM}{RANGE}\s*%\s+(?:tumou?r\s+)?(?:involvement|replacement)\b", MAX,
           reject_before=_NOT_INVOLVEMENT),
    lesion_size, lesion_count, stable, primary, sstr, site, sex_words,
    flag("grade", r"\b(?:WHO\s+)?G\s?1\b(?!\s*[-/]\s*G?\s?[23])", "G1", negatable=False),
    flag("grade", r"\b(?:WHO\s+)?G\s?2\b(?!\s*[-/]\s*G?\s?3)|\bG\s?1\s*[-/]\s*G?\s?2\b|\bgrade\s*(?:2|ii|two)\b|"
         r"\bintermediate[\s-]grade\b", "G2", negatable=False),
    flag("grade", r"\b(?:WHO\s+)?G\s?3\b|\bG\s?[12]\s*[-/]\s*G?\s?3\b|\bgrade\s*(?:3|iii|three)\b|\bhigh[\s-]grade\b",
         "G3", negatable=False),
    flag("grade", r"\bgrade\s*(?:1|i|one)\b(?!\s*(?:-|/|to|or)\s*(?:2|ii))", "G1", negatable=False),
    flag("differentiation", r"\b(?:well|moderately|well[\s-]+to[\s-]+moderately)[\s-]+differentiated\b", "well"),
    flag("differentiation", r"\b(?:poorly[\s-]+differentiated|undifferentiated|neuroendocrine\s+carcinoma|NEC|"
         r"(?:small|large)[\s-]cell\s+(?:neuroendocrine\s+)?carcinoma)\b", "poor"),
    flag("portal_vein_thrombosis", r"\bmain\s+portal\s+vein\s+(?:tumou?r\s+)?(?:thrombos[ie]s|thrombus|occlusion)|"
         r"\b(?:thrombos[ie]s|thrombus|occlusion)\s+(?:of|in)\s+the\s+main\s+portal\s+vein\b|\bmain\s+PVT\b", "main"),
    flag("portal_vein_thrombosis", r"\b(?:right|left|segmental|sectoral|lobar|branch)\s+(?:branch\s+)?(?:of\s+the\s+)?"
         r"portal\s+vein\s+(?:branch\s+)?(?:tumou?r\s+)?(?:thrombos[ie]s|thrombus)|\bbranch\s+PVT\b", "branch"),
    flag("portal_vein_thrombosis", r"\bpatent\s+(?:main\s+)?portal\s+vein|\bportal\s+vein\s+(?:is\s+|was\s+)?patent\b",
         "none", "unspecified"),
    flag("portal_vein_thrombosis", r"\bportal\s+vein\s+(?:tumou?r\s+)?(?:thrombos[ie]s|thrombus|occlusion)|"
         r"\b(?:thrombos[ie]s|thrombus)\s+(?:of|in)\s+the\s+portal\s+vein\b|\bPVT\b", "unspecified", "none"),
    flag("extrahepatic_disease", r"\b(?:liver|hepatic)[\s-]only\b|\b(?:disease|"
         r"metastases)\s+(?:is\s+|are\s+)?(?:confined|limited)\s+to\s+the\s+liver|\bisolated\s+(?:liver|hepatic)\s+"
         r"metastas[ie]s", False),
    flag("extrahepatic_disease", r"\bextra[\s-]?hepatic\s+(?:disease|metastas[ie]s|mets|spread|involvement|lesions?|"
         r"deposits?|tumou?r)|\bEHD\b", True, False),
    flag("extrahepatic_disease", r"\b(?:bone|osseous|skeletal|lung|pulmonary|peritoneal|brain|cerebral|nodal|"
         r"(?:lymph[\s-])?node|ovarian|adrenal|pleural|distant|extra[\s-]?abdominal|retroperitoneal)\s+(?:metastas[ie]s|"
         r"mets|deposits?|lesions|involvement|spread)|\bmetastas[ie]s\s+(?:to|in)\s+the\s+(?:bones?|lungs?|brain|"
         r"peritoneum|lymph\s+nodes)|\bcarcinomatosis\b", True),
    flag("peritoneal_carcinomatosis", r"\bperitoneal\s+(?:carcinomatosis|metastas[ie]s|disease|deposits|implants)|"
         r"\bcarcinomatosis\b", True, False),
    flag("bilobar", r"\bbi[\s-]?lobar\b|\bboth\s+(?:liver\s+|hepatic\s+)?lobes\b|\bbilateral\s+(?:liver|hepatic)\b|"
         r"\b(?:right\s+and\s+left|left\s+and\s+right)\s+(?:liver\s+|hepatic\s+)?lobes\b",
         True, False),
    flag("bilobar", r"\buni[\s-]?lobar\b|\b(?:(?:confined|limited)\s+to|all\s+in)\s+(?:the\s+)?(?:right|left)\s+"
         r"(?:liver\s+|hepatic\s+)?lobe", False),
    flag("resectable", r"\b(?:un|non[\s-]?|ir)resectable\b|\bnot\s+(?:\w+\s+)?resectable\b|\binoperable\b|"
         r"\bnot\s+amenable\s+to\s+(?:surgery|resection)", False, negatable=False),
    flag("resectable", r"\b(?:completely\s+|fully\s+|technically\s+)?resectable\b", True, False,
         reject_before=r"\b(?:borderline|primary)\b|%[\w\s]{0,30}$", reject_after=r"^\W*(?:\w+\s+)?primary\b"),
    flag("progressive", r"\b(?:progressive|progressing|progressed)\b|\bprogression\b(?![\s-]free)", True, False),
    flag("progressive_on_ssa", r"\bprogress\w*\s+(?:disease\s+)?(?:on|under|despite|while\s+on|during|through)\s+"
         r"(?:(?:long[\s-]acting|high[\s-]dose|monthly|first[\s-]line|\d+\s*mg)\s+)*(?:octreotide|lanreotide|"
         r"pasireotide|sandostatin|somatuline|SSAs?|somatostatin\s+analog(?:ue)?s?)", True, False),
    flag("progressive_on_ssa", r"\bstable\s+(?:disease\s+)?(?:for\s+(?:\w+\s+){1,3}?)?(?:on|under|with)\s+"
         r"(?:(?:long[\s-]acting|monthly)\s+)*"
         r"(?:octreotide|lanreotide|SSAs?|somatostatin\s+analog(?:ue)?s?)", False, negatable=False),
    flag("carcinoid_syndrome", r"\bcarcinoid\s+syndrome\b", True, False),
    flag("carcinoid_syndrome", r"\bflushing\b", True),
    flag("carcinoid_syndrome", r"\bnon[\s-]?function(?:al|ing)\b", False, negatable=False),
    flag("carcinoid_heart_disease", r"\bcarcinoid\s+heart\s+disease\b|\bhedinger\b", True, False),
    flag("right_heart_failure", r"\bright[\s-]+(?:sided\s+)?heart\s+(?:failure|insufficiency)|\bright\s+ventricular\s+"
         r"(?:failure|dysfunction)", True, False),
    flag("hepatic_insufficiency", r"\b(?:hepatic|liver|hepatocellular)\s+(?:insufficiency|failure|decompensation)|"
         r"\bdecompensated\s+cirrhosis\b", True, False),
    flag("hepatic_insufficiency", NORMAL_LFTS, False, negatable=False),
    flag("renal_insufficiency", r"\b(?:renal|kidney)\s+(?:failure|insufficiency|impairment)|\bCKD\s*(?:stage\s*)?"
         r"(?:4|5|IV|V)\b|\b(?:haemo|hemo)?dialysis\b", True, False),
    flag("bleeding_disorder", r"\bbleeding\s+(?:disorder|diathesis|tendency)|\bcoagulopathy\b|\bha?emophilia\b",
         True, False),
    flag("poor_general_status", r"\bpoor\s+(?:general\s+(?:status|condition)|performance\s+status|clinical\s+"
         r"condition)|\bbed[\s-]?(?:bound|ridden)\b", True, False),
    flag("poor_general_status", r"\bgood\s+(?:general\s+(?:status|condition)|performance\s+status)", False),
    flag("prior_whipple", r"\b(?:whipple(?:'s)?(?:\s+procedure)?|pancreat(?:ic)?o?[\s-]?duodenectomy|PPPD)\b", True, False,
         reject_before=_NOT_PLANNED),
    # A pancreatoduodenectomy always includes a hepatico-/choledochojejunostomy: the abscess/ischaemia risk of
    # 001:95, 003:151 and 004:52 is about that anastomosis.
    flag("bilioenteric_anastomosis", r"\b(?:whipple(?:'s)?(?:\s+procedure)?|pancreat(?:ic)?o?[\s-]?duodenectomy|PPPD)\b",
         True, reject_before=_NOT_PLANNED, note="derived from the pancreatoduodenectomy (it includes one)"),
    flag("bilioenteric_anastomosis", r"\b(?:hepatico|choledocho)[\s-]?(?:jejuno|duodeno)stomy|\bbilio[\s-]?(?:enteric|"
         r"digestive)\s+anastomos[ie]s|\bbiliary[\s-]+enteric\s+anastomos[ie]s", True, False),
    flag("near_large_vessel", r"\b(?:adjacent|abutting|abuts|close|near|next|contact(?:ing)?|touching)\b(?:\s+to|"
         r"\s+with)?\s+(?:the\s+)?(?:(?:right|middle|left|main)\s+)?(?:hepatic\s+veins?|IVC|inferior\s+vena\s+cava|"
         r"vena\s+cava|large\s+(?:blood\s+)?vessels?|major\s+(?:blood\s+)?vessels?)", True, False),
    flag("near_bile_duct", r"\b(?:peri)?hilar\s+(?:lesion|metastas[ie]s|location|tumou?r)|\b(?:adjacent|abutting|"
         r"abuts|close|near|next|contact(?:ing)?)\b(?:\s+to|\s+with)?\s+(?:the\s+)?(?:hepatic\s+)?(?:hilum|portal\s+"
         r"pedicles?|(?:(?:main|major|common|right|left)\s+)?(?:hepatic|bile)\s+ducts?|biliary\s+confluence)", True, False),
    flag("subcapsular", r"\bsub[\s-]?capsular\b|\b(?:at|on|near|adjacent\s+to|abutting)\s+the\s+liver\s+"
         r"(?:surface|capsule)", True, False),
)
