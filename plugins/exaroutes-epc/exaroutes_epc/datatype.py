"""The `epc` data type: a SEPA credit transfer as an EPC069-12 QR code (version 002, UTF-8).

The payload is twelve lines separated by LF (EPC069-12 §3): `BCD`, version `002`, character set `1`
(UTF-8), `SCT`, BIC (optional in version 002), beneficiary name, IBAN, `EUR` amount, purpose code,
structured creditor reference *or* unstructured remittance text, and a note to the payer. Trailing
empty lines are left out, and the whole may not exceed 331 bytes. The guideline asks for error
correction level M, which is ExaRoutes' default: leave `errorCorrection` out.

A dynamic `epc` code cannot redirect anywhere a banking app would pick up, so its scan answers a page
with the transfer details and copy buttons: the payer types them into any banking app.
"""
import colander

from exaroutes.plugins.toolkit import (
    ObjectOrString, PayloadDestination, StrictNumber, StrictString, fields_page, invalid_field, no_line_breaks,
    text_field)
from exaroutes_epc.banking import bic, compact_iban, euro_amount, format_amount, iban

MAX_PAYLOAD_BYTES = 331
HEADER = ["BCD", "002", "1", "SCT"]
#: the data fields in the order of the payload's lines 5 to 12
LINES = ["bic", "name", "iban", "amount", "purpose", "reference", "text", "information"]
LABELS = {"name": "Beneficiary", "iban": "IBAN", "bic": "BIC", "amount": "Amount (EUR)",
          "purpose": "Purpose code", "reference": "Creditor reference", "text": "Remittance information",
          "information": "Note"}


def parse_epc(node, text):
    """`data` given as a string: the EPC payload itself (version 001 or 002, UTF-8, SCT)."""
    lines = text.replace("\r\n", "\n").split("\n")
    if len(lines) < 7 or len(lines) > 12 or lines[0] != "BCD" or lines[1] not in ("001", "002") \
            or lines[3] != "SCT":
        raise colander.Invalid(node, "must be an EPC payload (BCD, 002, 1, SCT, …) or an object")
    if lines[2] != "1":
        raise colander.Invalid(node, "only character set 1 (UTF-8) is read")
    fields = dict(zip(LINES, lines[4:]))
    if fields.get("amount"):
        amount = fields["amount"]
        if not amount.startswith("EUR"):
            raise colander.Invalid(node, "the amount line must look like EUR12.50")
        try:
            fields["amount"] = float(amount[3:])
        except ValueError:
            raise colander.Invalid(node, "the amount line must look like EUR12.50")
    return {key: value for key, value in fields.items() if value != ""}


def epc_payload(data):
    """The payload lines joined by LF; the IBAN without spaces, trailing empty lines left out."""
    values = {**data, "iban": compact_iban(data["iban"])}
    if "amount" in values:
        values["amount"] = format_amount(values["amount"])
    lines = HEADER + [values.get(field, "") for field in LINES]
    while lines[-1] == "":
        lines.pop()
    return "\n".join(lines)


def one_reference_and_fits(node, data):
    """EPC069-12: a structured reference or a text, not both; at most 331 bytes in all."""
    if "reference" in data and "text" in data:
        raise invalid_field(node, "text", "give either reference (structured) or text, not both")
    size = len(epc_payload(data).encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise colander.Invalid(node, f"the EPC payload would be {size} bytes; the guideline allows "
                                     f"{MAX_PAYLOAD_BYTES}")


def purpose_code(node, value):
    if not (len(value) == 4 and value.isascii() and value.isalpha() and value.isupper()):
        raise colander.Invalid(node, "must be a 4-letter ISO 20022 purpose code such as CHAR or GDDS")


class EpcSchema(colander.MappingSchema):
    name = text_field("name", "beneficiary name, at most 70 characters", 70, required=True,
                      validator=no_line_breaks)
    iban = text_field("iban", "beneficiary IBAN (spaces allowed)", 42, required=True, validator=iban)
    bic = text_field("bic", "beneficiary bank's BIC, 8 or 11 characters (optional within the EEA)", 11,
                     validator=bic)
    amount = colander.SchemaNode(StrictNumber(), name="amount", missing=colander.drop, validator=euro_amount,
                                 description="euro, 0.01 to 999999999.99 (optional: the payer fills it in)")
    purpose = colander.SchemaNode(StrictString(), name="purpose", missing=colander.drop, validator=purpose_code,
                                  description="ISO 20022 purpose code, 4 capital letters (optional)")
    reference = text_field("reference", "structured creditor reference, e.g. ISO 11649 RF… (optional)", 35,
                           validator=no_line_breaks)
    text = text_field("text", "unstructured remittance information (optional; not with reference)", 140,
                      validator=no_line_breaks)
    information = text_field("information", "note shown to the payer (optional)", 70, validator=no_line_breaks)


class EpcType(PayloadDestination):
    name = "epc"
    description = "A SEPA credit transfer (EPC069-12 QR code, GiroCode) that banking apps pre-fill."
    schema = EpcSchema(ObjectOrString(parse_epc), name="data", validator=one_reference_and_fits,
                       description='{"name", "iban", "bic"?, "amount"?, "purpose"?, "reference"?, "text"?, '
                                   '"information"?}, or the EPC payload')

    def payload(self, data):
        return epc_payload(data)

    def scan_response(self, request, code):
        data = code.data
        rows = [(LABELS[field], self.shown(field, data[field]), field != "purpose")
                for field in ("name", "iban", "bic", "amount", "reference", "text", "information", "purpose")
                if field in data]
        intro = "<p>Pay by SEPA credit transfer: copy these details into your banking app.</p>"
        return fields_page(request, "SEPA transfer", rows, intro=intro)

    @staticmethod
    def shown(field, value):
        if field == "amount":
            return format_amount(value)[3:]
        if field == "iban":
            compact = compact_iban(value)
            return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
        return value
