"""Word lists for generated demo data (tracker.generation): conferences, parties, organisations,
co-operation areas and the phrases commitments and progress updates are written from.

Chinese is kept here in Traditional characters, as the HKSAR Government writes it; the generator
turns each phrase into Simplified where the writer is a Mainland side (`zh_hans`).
Every English phrase has its Chinese counterpart in the same tuple, so both texts say the same.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import zhconv


@lru_cache(maxsize=None)
def zh_hans(text: str) -> str:
    """A phrase in Simplified characters (phrases recur, so each is converted once)."""
    return zhconv.convert(text, "zh-hans")


class Conference(NamedTuple):
    code: str
    name: str
    name_zh: str
    established: int
    party_code: str
    party_name: str
    party_name_zh: str
    short_name: str
    short_name_zh: str
    prefix: str  # of its departments' names: "Guangdong Provincial Department of Commerce"
    prefix_zh: str
    abbreviation: str  # of its departments' abbreviations: GDDOC
    is_province: bool  # a province's departments are 廳, a municipality's 局
    capital: str
    capital_zh: str
    leader: str


HKSAR = {
    "code": "hksar",
    "name": "Government of the Hong Kong Special Administrative Region",
    "name_zh": "香港特別行政區政府",
    "short_name": "Hong Kong",
    "short_name_zh": "香港",
}

CONFERENCES = [
    Conference("HKGD", "Hong Kong/Guangdong Co-operation Joint Conference", "粵港合作聯席會議", 1998, "guangdong",
               "People's Government of Guangdong Province", "廣東省人民政府", "Guangdong", "廣東", "Guangdong Provincial",
               "廣東省", "GD", True, "Guangzhou", "廣州", "Governor of Guangdong Province"),
    Conference("HKSH", "Hong Kong/Shanghai Co-operation Conference", "滬港合作會議", 2003, "shanghai",
               "Shanghai Municipal People's Government", "上海市人民政府", "Shanghai", "上海", "Shanghai Municipal",
               "上海市", "SH", False, "Shanghai", "上海", "Mayor of Shanghai"),
    Conference("HKFJ", "Hong Kong/Fujian Co-operation Conference", "閩港合作會議", 2002, "fujian",
               "People's Government of Fujian Province", "福建省人民政府", "Fujian", "福建", "Fujian Provincial",
               "福建省", "FJ", True, "Fuzhou", "福州", "Governor of Fujian Province"),
    Conference("HKSC", "Hong Kong/Sichuan Co-operation Conference", "川港合作會議", 2015, "sichuan",
               "People's Government of Sichuan Province", "四川省人民政府", "Sichuan", "四川", "Sichuan Provincial",
               "四川省", "SC", True, "Chengdu", "成都", "Governor of Sichuan Province"),
    Conference("HKZJ", "Hong Kong/Zhejiang Co-operation Conference", "浙港合作會議", 2011, "zhejiang",
               "People's Government of Zhejiang Province", "浙江省人民政府", "Zhejiang", "浙江", "Zhejiang Provincial",
               "浙江省", "ZJ", True, "Hangzhou", "杭州", "Governor of Zhejiang Province"),
    Conference("HKHB", "Hong Kong/Hubei Co-operation Conference", "鄂港合作會議", 2017, "hubei",
               "People's Government of Hubei Province", "湖北省人民政府", "Hubei", "湖北", "Hubei Provincial",
               "湖北省", "HB", True, "Wuhan", "武漢", "Governor of Hubei Province"),
    Conference("HKTJ", "Hong Kong/Tianjin Co-operation Conference", "津港合作會議", 2016, "tianjin",
               "Tianjin Municipal People's Government", "天津市人民政府", "Tianjin", "天津", "Tianjin Municipal",
               "天津市", "TJ", False, "Tianjin", "天津", "Mayor of Tianjin"),
    Conference("HKSZ", "Hong Kong/Shenzhen Co-operation Meeting", "深港合作會議", 2004, "shenzhen",
               "Shenzhen Municipal People's Government", "深圳市人民政府", "Shenzhen", "深圳", "Shenzhen Municipal",
               "深圳市", "SZ", False, "Shenzhen", "深圳", "Mayor of Shenzhen"),
    Conference("HKJS", "Hong Kong/Jiangsu Co-operation Conference", "蘇港合作會議", 2014, "jiangsu",
               "People's Government of Jiangsu Province", "江蘇省人民政府", "Jiangsu", "江蘇", "Jiangsu Provincial",
               "江蘇省", "JS", True, "Nanjing", "南京", "Governor of Jiangsu Province"),
    Conference("HKCQ", "Hong Kong/Chongqing Co-operation Conference", "渝港合作會議", 2019, "chongqing",
               "Chongqing Municipal People's Government", "重慶市人民政府", "Chongqing", "重慶", "Chongqing Municipal",
               "重慶市", "CQ", False, "Chongqing", "重慶", "Mayor of Chongqing"),
    Conference("HKHN", "Hong Kong/Hainan Co-operation Conference", "瓊港合作會議", 2018, "hainan",
               "People's Government of Hainan Province", "海南省人民政府", "Hainan", "海南", "Hainan Provincial",
               "海南省", "HN", True, "Haikou", "海口", "Governor of Hainan Province"),
    Conference("HKGX", "Hong Kong/Guangxi Co-operation Conference", "桂港合作會議", 2019, "guangxi",
               "People's Government of Guangxi Zhuang Autonomous Region", "廣西壯族自治區人民政府", "Guangxi", "廣西",
               "Guangxi Autonomous Region", "廣西壯族自治區", "GX", True, "Nanning", "南寧",
               "Chairman of Guangxi Zhuang Autonomous Region"),
]

# Hong Kong side: name, Chinese name, abbreviation, kind, coordinating office. The first five are
# named as in the bundled 4th plenary fixture, so that a database holding it reuses them.
HK_ORGANISATIONS = [
    ("Constitutional and Mainland Affairs Bureau", "政制及內地事務局", "CMAB", "bureau", True),
    ("Hong Kong Trade Development Council", "香港貿易發展局", "HKTDC", "statutory_body", False),
    ("MTR Corporation Limited", "香港鐵路有限公司", "MTR", "enterprise", False),
    ("West Kowloon Cultural District Authority", "西九文化區管理局", "WKCDA", "statutory_body", False),
    ("Hong Kong Science Park", "香港科學園", "HKSTP", "statutory_body", False),
    ("Commerce and Economic Development Bureau", "商務及經濟發展局", "CEDB", "bureau", False),
    ("Financial Services and the Treasury Bureau", "財經事務及庫務局", "FSTB", "bureau", False),
    ("Innovation, Technology and Industry Bureau", "創新科技及工業局", "ITIB", "bureau", False),
    ("Education Bureau", "教育局", "EDB", "bureau", False),
    ("Environment and Ecology Bureau", "環境及生態局", "EEB", "bureau", False),
    ("Transport and Logistics Bureau", "運輸及物流局", "TLB", "bureau", False),
    ("Health Bureau", "醫務衞生局", "HHB", "bureau", False),
    ("Culture, Sports and Tourism Bureau", "文化體育及旅遊局", "CSTB", "bureau", False),
    ("Home and Youth Affairs Bureau", "民政及青年事務局", "HYAB", "bureau", False),
    ("Civil Service Bureau", "公務員事務局", "CSB", "bureau", False),
    ("Development Bureau", "發展局", "DEVB", "bureau", False),
    ("Department of Justice", "律政司", "DoJ", "department", False),
    ("Trade and Industry Department", "工業貿易署", "TID", "department", False),
    ("Invest Hong Kong", "投資推廣署", "InvestHK", "department", False),
    ("Centre for Food Safety", "食物安全中心", "CFS", "department", False),
    ("Drainage Services Department", "渠務署", "DSD", "department", False),
    ("Hong Kong Productivity Council", "香港生產力促進局", "HKPC", "statutory_body", False),
    ("Hospital Authority", "醫院管理局", "HA", "statutory_body", False),
    ("Airport Authority Hong Kong", "香港機場管理局", "AAHK", "statutory_body", False),
]

# Mainland side, for each conference: name after the prefix, Chinese after the prefix (廳 for a
# province, 局 for a municipality, where it is a department), abbreviation suffix, kind, coordinating.
MAINLAND_ORGANISATIONS = [
    ("Hong Kong and Macao Affairs Office", "人民政府港澳事務辦公室", "HKMAO", "department", True),
    ("Development and Reform Commission", "發展和改革委員會", "DRC", "department", False),
    ("Department of Commerce", "商務{d}", "DOC", "department", False),
    ("Department of Science and Technology", "科學技術{d}", "DOST", "department", False),
    ("Department of Education", "教育{d}", "DOE", "department", False),
    ("Department of Culture and Tourism", "文化和旅遊{d}", "DCT", "department", False),
    ("Department of Ecology and Environment", "生態環境{d}", "DEE", "department", False),
    ("Department of Transport", "交通運輸{d}", "DOT", "department", False),
    ("Health Commission", "衞生健康委員會", "HC", "department", False),
    ("Local Financial Supervision Bureau", "地方金融監督管理局", "LFSB", "department", False),
    ("Department of Human Resources and Social Security", "人力資源和社會保障{d}", "HRSS", "department", False),
    ("Administration for Market Regulation", "市場監督管理局", "AMR", "department", False),
    ("Sports Bureau", "體育局", "SB", "department", False),
    ("Department of Justice", "司法{d}", "DOJ", "department", False),
    ("Youth Federation", "青年聯合會", "YF", "other", False),
    ("Federation of Industry and Commerce", "工商業聯合會", "FIC", "other", False),
]

# Co-operation areas: name, Chinese name, topics (English, Chinese), the Hong Kong organisations
# and the Mainland ones (abbreviation suffixes) that usually lead or support them.
AREAS = [
    ("Economic and Trade Co-operation", "經貿合作", [
        ("investment promotion", "投資推廣"), ("trade in services", "服務貿易"), ("e-commerce", "電子商貿"),
        ("brand building for small and medium enterprises", "中小企品牌建設"), ("trade fairs", "貿易展覽"),
        ("cross-boundary supply chains", "跨境供應鏈"),
    ], ["CEDB", "TID", "InvestHK", "HKTDC"], ["DOC", "DRC", "FIC"]),
    ("Financial Services", "金融服務", [
        ("green finance", "綠色金融"), ("cross-boundary wealth management", "跨境理財"),
        ("financial technology", "金融科技"), ("offshore renminbi business", "離岸人民幣業務"),
        ("listing of enterprises in Hong Kong", "企業來港上市"), ("insurance services", "保險服務"),
    ], ["FSTB"], ["LFSB", "DRC"]),
    ("Innovation and Technology", "創新科技", [
        ("artificial intelligence research", "人工智能研究"), ("technology incubation", "科技培育"),
        ("joint laboratories", "聯合實驗室"), ("biomedical research", "生物醫藥研究"),
        ("intellectual property protection", "知識產權保護"), ("smart manufacturing", "智能製造"),
    ], ["ITIB", "HKSTP", "HKPC"], ["DOST"]),
    ("Culture and Creative Industries", "文化創意產業", [
        ("performing arts exchanges", "表演藝術交流"), ("museum collaboration", "博物館合作"),
        ("film co-production", "電影合拍"), ("design and fashion", "設計及時裝"),
        ("heritage conservation", "文物保育"),
    ], ["CSTB", "WKCDA"], ["DCT"]),
    ("Education", "教育", [
        ("sister school programmes", "姊妹學校計劃"), ("exchanges of teachers", "教師交流"),
        ("university alliances", "大學聯盟"), ("vocational training", "職業培訓"),
        ("student internships", "學生實習"),
    ], ["EDB"], ["DOE", "HRSS"]),
    ("Youth Development", "青年發展", [
        ("youth exchange programmes", "青年交流計劃"), ("innovation and entrepreneurship bases for young people", "青年創新創業基地"),
        ("youth internships", "青年實習"), ("volunteer services", "義工服務"),
    ], ["HYAB"], ["YF", "HRSS"]),
    ("Transport and Logistics", "交通物流", [
        ("cross-boundary transport", "跨境交通"), ("railway operation and maintenance", "鐵路營運及維修"),
        ("aviation services", "航空服務"), ("port and shipping", "港口航運"), ("multimodal logistics", "多式聯運物流"),
    ], ["TLB", "MTR", "AAHK"], ["DOT"]),
    ("Environmental Protection", "環境保護", [
        ("air quality monitoring", "空氣質素監測"), ("waste reduction and recycling", "減廢及回收"),
        ("carbon neutrality", "碳中和"), ("water quality", "水質"), ("flood prevention", "防洪"),
    ], ["EEB", "DSD"], ["DEE"]),
    ("Healthcare", "醫療衞生", [
        ("Chinese medicine", "中醫藥"), ("public health emergencies", "公共衞生應急"),
        ("exchanges of medical staff", "醫護人員交流"), ("elderly care", "安老服務"),
    ], ["HHB", "HA"], ["HC"]),
    ("Tourism", "旅遊", [
        ("multi-destination tourism", "一程多站旅遊"), ("cruise tourism", "郵輪旅遊"),
        ("tourism promotion", "旅遊推廣"), ("quality tourism services", "優質旅遊服務"),
    ], ["CSTB"], ["DCT"]),
    ("Legal and Dispute Resolution Services", "法律及爭議解決服務", [
        ("commercial arbitration", "商事仲裁"), ("mediation", "調解"),
        ("legal professional exchanges", "法律專業交流"), ("mutual legal assistance", "司法協助"),
    ], ["DoJ"], ["DOJ"]),
    ("Food and Drug Safety", "食品及藥品安全", [
        ("food safety regulation", "食品安全監管"), ("food supply to Hong Kong", "供港食品"),
        ("drug safety monitoring", "藥品安全監測"),
    ], ["CFS", "HHB"], ["AMR"]),
    ("Sports", "體育", [
        ("major sports events", "大型體育賽事"), ("athlete training", "運動員培訓"), ("sports science", "運動科學"),
    ], ["CSTB"], ["SB"]),
    ("Civil Service Exchange", "公務員交流", [
        ("civil service exchange programmes", "公務員交流計劃"), ("training of civil servants", "公務員培訓"),
        ("public administration", "公共行政"),
    ], ["CSB", "CMAB"], ["HRSS", "HKMAO"]),
    ("Facilitation Measures for Hong Kong People", "便利香港居民措施", [
        ("facilitation for Hong Kong residents", "便利香港居民"), ("employment of Hong Kong people", "香港人就業"),
        ("advisory services for Hong Kong people", "香港居民諮詢服務"),
    ], ["CMAB", "HYAB"], ["HKMAO", "HRSS"]),
    ("Urban Development", "城市建設", [
        ("smart city", "智慧城市"), ("urban renewal", "市區更新"), ("construction standards", "建造業標準"),
    ], ["DEVB"], ["DRC"]),
]

# A commitment: "<subject> would <verb> <topic> ..." / "<subject>將<verb>..."; {t} is the topic.
SUBJECTS = [("Both sides", "雙方"), ("The two places", "兩地"), ("The two governments", "兩地政府")]
MODALS = [("would", "將"), ("would continue to", "將繼續"), ("would further", "將進一步")]
ACTIONS = [
    ("strengthen co-operation in {t}", "加強{t}方面的合作"),
    ("promote exchanges on {t}", "推動{t}方面的交流"),
    ("jointly study measures on {t}", "共同研究{t}方面的措施"),
    ("set up a working group on {t}", "成立{t}工作小組"),
    ("organise a joint seminar on {t}", "合辦{t}研討會"),
    ("share experience in {t}", "分享{t}方面的經驗"),
    ("explore a co-operation platform for {t}", "探討建立{t}合作平台"),
    ("sign a co-operation arrangement on {t}", "簽署{t}合作安排"),
]
PURPOSES = [
    ("with a view to promoting the high-quality development of the two places", "以促進兩地高質量發展"),
    ("so as to deepen mutual understanding", "以加深相互了解"),
    ("to support enterprises of the two places in exploring new markets", "以支持兩地企業開拓新市場"),
    ("for the benefit of residents of the two places", "惠及兩地居民"),
    ("in support of the national development strategy", "配合國家發展戰略"),
]
ALSO = [
    ("Both sides would also encourage the participation of enterprises and professional bodies.", "雙方亦會鼓勵企業及專業團體參與。"),
    ("Progress would be reported at the next plenary session.", "雙方會於下次全體會議匯報進展。"),
    ("Both sides would also exchange information regularly.", "雙方亦會定期交換資料。"),
]
CONTINUING = ("Building on the consensus of the previous session, ", "在上次會議共識的基礎上，")
TITLES = [
    ("Co-operation in {t}", "{t}合作"), ("Exchanges on {t}", "{t}交流"), ("Joint study on {t}", "{t}聯合研究"),
    ("Working group on {t}", "{t}工作小組"), ("Platform for {t}", "{t}平台"), ("Seminar on {t}", "{t}研討會"),
]
CONTINUED_TITLE = ("Continued co-operation in {t}", "繼續推進{t}合作")

# Progress updates: {t} topic, {n} a number, {m} a month, {p} the other side's short name.
NARRATIVES = [
    ("{n} exchange sessions on {t} were held with the {p} side.", "與{p}方就{t}舉行了{n}場交流會。"),
    ("A working group on {t} met in {m} and agreed a draft work plan.", "{t}工作小組於{m}舉行會議，並議定工作計劃草案。"),
    ("A joint seminar on {t} was held in {m}, attended by {n0} participants.", "{t}聯合研討會於{m}舉行，共{n0}人出席。"),
    ("{n} enterprises took part in the matching activities on {t}.", "共有{n}家企業參與{t}配對活動。"),
    ("Officials of the two sides exchanged information on {t} in {m}.", "兩地官員於{m}就{t}交換資料。"),
    ("A study on {t} was commissioned; the inception report was received in {m}.", "已委託進行{t}研究，並於{m}收到初步報告。"),
]
NARRATIVE_AT_RISK = [
    ("The {t} activity planned for {m} was postponed; a new date is being sought with the {p} side.", "原定於{m}舉行的{t}活動已延期，正與{p}方商議新日期。"),
    ("Funding for {t} has not yet been confirmed, which has delayed the work.", "{t}的經費尚未落實，工作因而延遲。"),
]
NARRATIVE_COMPLETED = [
    ("The work on {t} was completed in {m}; a final report was sent to both sides.", "{t}工作已於{m}完成，並已向雙方提交總結報告。"),
    ("The co-operation arrangement on {t} was signed in {m} and is now in force.", "{t}合作安排已於{m}簽署並已生效。"),
]
NEXT_STEPS = [
    ("Hold the next exchange session on {t} before the next plenary session.", "於下次全體會議前舉行下一場{t}交流會。"),
    ("Agree a timetable for {t} with the {p} side.", "與{p}方議定{t}的時間表。"),
    ("Report the findings on {t} to the working group.", "向工作小組匯報{t}的研究結果。"),
    ("Invite more enterprises to take part in {t}.", "邀請更多企業參與{t}。"),
]
RETURN_COMMENTS = [
    "Please give the number of participants and the date of each activity.",
    "Please say what was agreed with the other side and by when.",
    "The progress figure looks high for what is described: please explain or revise it.",
    "Please add the next steps and a link to the published material.",
]
ACCEPT_COMMENTS = ["", "", "", "Thank you.", "Noted, thank you.", "Thank you; please keep the timetable in view."]
NOT_PURSUED_REASONS = [
    ("Both sides agreed not to pursue {t} separately: it is now covered by a national initiative.", "雙方同意不再另行推進{t}，相關工作已納入國家層面措施。"),
    ("The {p} side has reorganised the work on {t}; the item was withdrawn by agreement.", "{p}方已重組{t}相關工作，經雙方同意撤回此項。"),
]
INTERNAL_NOTES = [
    "Awaiting figures from the other side before the next report.",
    "The head of unit wants to see the draft before it is submitted.",
    "Budget for next year not yet approved.",
]
OFFICER_TITLES = [("Assistant Secretary", "助理秘書長"), ("Principal Assistant Secretary", "首席助理秘書長"), ("Senior Manager", "高級經理")]

HK_SURNAMES = ["Chan", "Wong", "Lee", "Cheung", "Lau", "Ho", "Ng", "Leung", "Tang", "Yip", "Lam", "Tsang", "Chow", "Mak", "Kwok"]
HK_GIVEN = ["Tai-man", "Siu-ming", "Ka-yan", "Wing-kei", "Mei-ling", "Chi-keung", "Hoi-yan", "Ka-wai", "Man-yee", "Kin-fung"]
MAINLAND_SURNAMES = ["Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun"]
MAINLAND_GIVEN = ["Wei", "Fang", "Min", "Jing", "Lei", "Jun", "Yan", "Tao", "Hui", "Qiang", "Xia", "Ping"]

ORDINALS = ["First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth",
            "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth",
            "Nineteenth", "Twentieth"]
CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(number: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 35 → 三十五 (enough for session numbers)."""
    if number < 10:
        return CHINESE_DIGITS[number]
    tens, units = divmod(number, 10)
    return (CHINESE_DIGITS[tens] if tens > 1 else "") + "十" + (CHINESE_DIGITS[units] if units else "")


def english_ordinal(number: int) -> str:
    if number <= len(ORDINALS):
        return ORDINALS[number - 1]
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
