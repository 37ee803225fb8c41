"""Static codes: `POST /api/qr/static` encodes the payload itself and stores nothing."""
from exaroutes.api.bodies import CreateStatic
from exaroutes.api.openapi import responds
from exaroutes.api.responses import static_result
from exaroutes.api.service import Service
from exaroutes.api.validation import validate_request
from exaroutes.auth import API_PERMISSION
from exaroutes.imaging.design import check_design, render_design, render_units
from exaroutes.imaging.render import print_guide
from exaroutes.imaging.media import data_uri, media_type
from exaroutes.edge.rate_limits import charge_render

static = Service(name="static", path="/api/qr/static", description="Static QR codes (nothing stored)")


def image_field(content_type, image):
    """SVG as its text; any other format as a `data:` URI."""
    if content_type == "image/svg+xml":
        return image.decode("utf-8")
    return data_uri(content_type, image)


@static.post(schema=CreateStatic(), validators=(validate_request,), content_type="application/json",
             permission=API_PERMISSION)
@responds({200: static_result()})
def static_post(request):
    design = check_design(request.registry, request.validated["body"])
    charge_render(request, render_units(design.return_type, design.style))
    payload = request.registry["datatypes"][design.data_type].payload(design.data)
    image = render_design(request.registry, design, payload)
    return {"type": "static", "dataType": design.data_type, "format": design.return_type,
            "image": image_field(media_type(request.registry, design.return_type), image),
            "print": print_guide(payload, design.style)}
