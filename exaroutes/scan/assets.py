"""Static files of the scan pages (`/assets/…`), served by the app itself: no CDN, no inline code."""
from pyramid.security import NO_PERMISSION_REQUIRED

ASSETS = "exaroutes:scan/assets/"



def includeme(config):
    config.add_static_view(name="assets", path=ASSETS, cache_max_age=3600,
                           permission=NO_PERMISSION_REQUIRED)
