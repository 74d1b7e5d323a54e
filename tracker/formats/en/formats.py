# Dates as Hong Kong and Beijing government documents write them in English: 24 October 2018.
# One date format everywhere (pages, tables, history, messages, reports): the short formats are
# the same as the long ones, so a date never reads differently from one screen to the next.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y"]
FIRST_DAY_OF_WEEK = 1
