# Dates as Chinese government documents write them: 2018年10月24日, in pages, tables, history,
# messages and reports alike (the short formats are the long ones).
DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
TIME_FORMAT = "H:i"
# Django's own list has "%Y年%n月%j日", which strptime reads as day-of-year: never matches a date.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
FIRST_DAY_OF_WEEK = 1
