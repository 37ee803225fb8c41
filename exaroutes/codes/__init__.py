"""Dynamic codes, always within one workspace: creating and listing them (`service`), the one gate that
loads the code a request works on (`lookup`), their JSON shape (`present`), list cursors (`cursors`),
edits with an audit trail (`edits`) and their scan analytics from the rollups (`analytics`)."""
