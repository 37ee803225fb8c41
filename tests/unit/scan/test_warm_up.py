"""The server builds the user-agent parsers before it accepts connections, not on the first scan."""
import subprocess
import sys

CHECK = """
import ua_parser
from crawlerdetect import crawlerdetect
from exaroutes.scan import enrich
assert "parser" not in vars(ua_parser), "built at import already: nothing to test"
assert crawlerdetect.get_compiled_crawler_regex.cache_info().currsize == 0
enrich.warm_up()
assert "parser" in vars(ua_parser)
assert crawlerdetect.get_compiled_crawler_regex.cache_info().currsize == 1
"""


def test_warm_up_builds_the_lazy_user_agent_parser():
    # A fresh interpreter: in this one, earlier tests may have built the parser already.
    subprocess.run([sys.executable, "-c", CHECK], check=True)
