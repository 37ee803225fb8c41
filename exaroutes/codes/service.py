"""Dynamic codes: creating, finding and listing them, always within one workspace."""
import hashlib

from sqlalchemy import or_
from sqlalchemy.dialects import postgresql, sqlite

from exaroutes.clock import utcnow
from exaroutes.imaging.design import check_design, logo_reference, render_design
from exaroutes.imaging.logos import parse_logo
from exaroutes.imaging.media import data_uri
from exaroutes.codes.cursors import keyset_page
from exaroutes.codes.ids import new_short_id, redirect_url
from exaroutes.codes.present import code_json
from exaroutes.domains.service import requested_domain
from exaroutes.models import CodeLogo, QrCode
from exaroutes.renderers.png import PngRenderer
from exaroutes.protections.options import apply_options, create_options
from exaroutes.routing.service import apply_routing, routing_of
from exaroutes.webhooks.outbox import QR_CREATED, QR_UPDATED, emit


def create_code(dbsession, registry, settings, workspace_id, body):
    """Create the code a validated create body asks for, protections and limits included.

    The API's POST and the dashboard's "New code" form both come here, so a form can never drop a
    password, `encrypt`, `expiresAt` or `maxScans` that the API would have kept.
    """
    design = check_design(registry, body)
    options = create_options(settings, body)
    routing = routing_of(body, design.data_type, options.encrypt)
    domain = requested_domain(dbsession, workspace_id, body.get("domain"))
    code = create_dynamic_code(dbsession, registry, settings, workspace_id, design, options=options, routing=routing,
                               domain=domain)
    remember_logo(dbsession, workspace_id, design.style.get("logo"))
    return code


def remember_logo(dbsession, workspace_id, uri):
    """Keep our PNG re-encoding of a logo (once per workspace), so its codes can be drawn again later,
    e.g. as the dashboard's download in another format. Concurrent creates of one logo keep one row."""
    if not isinstance(uri, str):
        return
    reference = logo_reference(uri)
    if dbsession.get(CodeLogo, (workspace_id, reference)) is not None:
        return
    dialect = postgresql if dbsession.get_bind().dialect.name == "postgresql" else sqlite
    dbsession.execute(dialect.insert(CodeLogo).values(
        workspace_id=workspace_id, digest=reference, image=PngRenderer.encode(parse_logo(uri).image),
        created_at=utcnow()).on_conflict_do_nothing())


def stored_logo(dbsession, workspace_id, reference):
    """The data URI of a kept logo (our re-encoding: drawn it gives the very same pixels), or None."""
    logo = dbsession.get(CodeLogo, (workspace_id, reference))
    if logo is None:
        return None
    return data_uri(PngRenderer.media_type, logo.image)   # encoded by PngRenderer (remember_logo)


def create_dynamic_code(dbsession, registry, settings, workspace_id, design, prefix="", options=None, routing=None,
                        domain=None):
    """Store a new dynamic code with its printed image; the image encodes the redirect URL."""
    code = new_dynamic_code(registry, settings, workspace_id, design, prefix, options, routing=routing, domain=domain)
    dbsession.add(code)
    dbsession.flush()
    emit(dbsession, workspace_id, QR_CREATED, code_json(code, settings))   # webhooks, same transaction
    return code


def mark_updated(dbsession, settings, code):
    """Date the change of `code` and queue its `qr.updated` webhook event, in the same transaction."""
    code.updated_at = utcnow()
    emit(dbsession, code.workspace_id, QR_UPDATED, code_json(code, settings))


def new_dynamic_code(registry, settings, workspace_id, design, prefix="", options=None, proven=None, routing=None,
                     domain=None):
    """A new dynamic code with its rendered image, not yet in any session (bulk inserts many at once).
    `proven`: see `exaroutes.imaging.render.render`; `routing`: see `exaroutes.routing.service.routing_of`.

    `options` (exaroutes.protections.options.CodeOptions) are applied before the INSERT, so an
    encrypted code's plaintext never reaches the table.
    """
    datatype = registry["datatypes"][design.data_type]
    short_id = new_short_id()
    image = render_design(registry, design, redirect_url(settings, short_id, domain), prefix, proven)
    now = utcnow()
    code = QrCode(
        short_id=short_id, workspace_id=workspace_id, type="dynamic", data_type=design.data_type,
        data=design.data, destination=datatype.destination(design.data), format=design.return_type,
        style=design.stored_style(), status="active", protections=[], encrypted=False, image=image,
        image_etag=hashlib.sha256(image).hexdigest()[:32], domain=domain, created_at=now, updated_at=now)
    if options is not None:
        apply_options(settings, code, options)
    if routing:
        apply_routing(code, routing)
    return code


def list_codes(dbsession, workspace_id, limit, cursor="0", data_type=None, status=None, search=None):
    """One page, newest first, in keyset order on (created_at, short_id): stable while codes are added.

    `search` (the dashboard's) matches an exact id or a part of the destination.
    """
    filters = [QrCode.workspace_id == workspace_id]
    if search:
        filters.append(or_(QrCode.short_id == search, QrCode.destination.contains(search, autoescape=True)))
    if data_type is not None:
        filters.append(QrCode.data_type == data_type)
    if status is not None:
        filters.append(QrCode.status == status)
    return keyset_page(dbsession, QrCode, QrCode.short_id, filters, limit, cursor)
