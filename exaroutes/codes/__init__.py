"""Dynamic codes, always within one workspace: creating and listing them (`service`), the one gate that
loads the code a request works on (`lookup`), their JSON shape (`present`), list cursors (`cursors`),
edits with an audit trail (`edits`), their scan analytics from the rollups (`analytics`) and the one
hook that announces a change to every process's code cache (`changes`)."""
# `changes` registers the ORM hook that tells every process's code cache about a changed code
# (exaroutes.codes.changes): imported here so any process that can change a code has it.
from exaroutes.codes import changes  # noqa: F401,E402
