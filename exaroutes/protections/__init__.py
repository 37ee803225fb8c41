"""Protected and limited codes: password, encryption at rest, compliance lock, expiry and scan caps.

One module per rule: `passwords`, `encryption`, `locks`, `limits`, `names` (which protections a code
has), `options` (what a create asks for), `attempts` and `signing` (the password form's guess limit and
signed tokens). The scan side (the gate every `/r/` route passes, the password form) is in `exaroutes.scan`: this
package holds the rules and never imports a web package.
"""
