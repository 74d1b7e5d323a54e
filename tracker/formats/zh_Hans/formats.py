# The same dates as in Traditional Chinese: Simplified and Traditional write them alike.
from tracker.formats.zh_Hant.formats import *  # noqa: F403
