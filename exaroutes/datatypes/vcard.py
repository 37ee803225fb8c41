"""`vcard`: a contact card (vCard 3.0) that phones offer to save to the address book."""
from html import escape

import colander

from exaroutes.schemas.types import http_url
from exaroutes.datatypes.fields import (
    ObjectOrString, PayloadDestination, email_address, no_line_breaks, phone_number, text_field)
from exaroutes.datatypes.vcard_text import read_vcard, write_vcard
from exaroutes.datatypes.pages import fields_page


#: the route of the .vcf download (registered by exaroutes.scan.contact)
CONTACT_ROUTE = "scan_contact"


class VcardSchema(colander.MappingSchema):
    first_name = text_field("firstName", "given name", 100, required=True, validator=no_line_breaks)
    last_name = text_field("lastName", "family name", 100, required=True, validator=no_line_breaks)
    organization = text_field("organization", "company or organisation (optional)", 200, validator=no_line_breaks)
    title = text_field("title", "job title (optional)", 200, validator=no_line_breaks)
    phone = text_field("phone", "phone number (optional)", 32, validator=phone_number)
    email = text_field("email", "e-mail address (optional)", 254, validator=email_address)
    url = text_field("url", "web site, absolute http(s) URL (optional)", 2048, validator=http_url)
    address = text_field("address", "postal address, may span lines (optional)", 500)
    note = text_field("note", "free text (optional)", 2000)


#: how the scan page labels each field
LABELS = {"organization": "Organization", "title": "Title", "phone": "Phone", "email": "E-mail",
          "url": "Web", "address": "Address", "note": "Note"}


class VcardType(PayloadDestination):
    name = "vcard"
    description = "A contact card (vCard 3.0)."
    schema = VcardSchema(ObjectOrString(read_vcard), name="data",
                         description='{"firstName", "lastName", "organization"?, "title"?, "phone"?, '
                                     '"email"?, "url"?, "address"?, "note"?}, or a vCard 3.0 text')

    def payload(self, data):
        return write_vcard(data)

    def scan_response(self, request, code):
        """A page with the contact and a link that downloads it as a .vcf the phone imports.

        A password-protected card has no download link: the password opens this page once (the unlock
        is spent by the scan), and `/r/{id}/contact.vcf` goes through the same gate, so the link
        would only lead back to the password form.
        """
        data = code.data
        name = f"{data['firstName']} {data['lastName']}"
        rows = [("Name", name, True)] + [(label, data[field], True) for field, label in LABELS.items()
                                         if field in data]
        if code.password_hash:
            return fields_page(request, name, rows)
        contact_path = request.route_path(CONTACT_ROUTE, short_id=code.short_id)
        link = f'<p><a class="save" href="{escape(contact_path)}" download="contact.vcf">Save contact</a></p>'
        return fields_page(request, name, rows, intro=link)
