// Renders /api/openapi.json as a readable page. Served by the app (no CDN); the page itself has no
// inline script. Every text from the document goes in through textContent, never as HTML.
"use strict";

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function resolve(spec, schema) {
  if (schema && schema.$ref) {
    return schema.$ref.split("/").slice(1).reduce((node, part) => node[part], spec);
  }
  return schema;
}

function schemaBlock(title, schema) {
  const details = el("details");
  details.appendChild(el("summary", title));
  details.appendChild(el("pre", JSON.stringify(schema, null, 2)));
  return details;
}

function renderOperation(spec, path, method, op) {
  const box = el("section", null, "op");
  box.id = op.operationId;  // the server-written index links here
  const head = el("div");
  head.appendChild(el("span", method, "method"));
  head.appendChild(el("span", path, "path"));
  box.appendChild(head);
  if (op.summary) box.appendChild(el("p", op.summary));
  if (op.security && op.security.length) box.appendChild(el("p", "Needs Authorization: Bearer <key>."));
  if (op.parameters && op.parameters.length) {
    const table = el("table");
    const header = el("tr");
    ["name", "in", "required", "schema"].forEach((h) => header.appendChild(el("th", h)));
    table.appendChild(header);
    op.parameters.forEach((p) => {
      const row = el("tr");
      row.appendChild(el("td", p.name));
      row.appendChild(el("td", p.in));
      row.appendChild(el("td", p.required ? "yes" : "no"));
      row.appendChild(el("td", JSON.stringify(p.schema || {})));
      table.appendChild(row);
    });
    box.appendChild(table);
  }
  if (op.requestBody) {
    Object.entries(op.requestBody.content).forEach(([media, body]) =>
      box.appendChild(schemaBlock("Request body (" + media + ")", body.schema)));
  }
  Object.entries(op.responses || {}).forEach(([status, response]) => {
    const content = response.content || {};
    const medias = Object.keys(content);
    if (!medias.length) {
      box.appendChild(el("p", status + ": " + response.description));
      return;
    }
    medias.forEach((media) => box.appendChild(
      schemaBlock(status + " " + media + ": " + response.description, resolve(spec, content[media].schema))));
  });
  return box;
}

function render(spec) {
  const main = document.getElementById("docs");
  main.textContent = "";
  main.appendChild(el("h1", spec.info.title + " (OpenAPI " + spec.openapi + ")"));
  main.appendChild(el("p", spec.info.description));
  const link = el("a", "openapi.json");
  link.href = main.dataset.spec;
  main.appendChild(link);
  const index = document.getElementById("operations");  // written by the server; moved under the title
  if (index) main.appendChild(index);
  Object.entries(spec.paths).forEach(([path, item]) => {
    main.appendChild(el("h2", path, "path"));
    Object.entries(item).forEach(([method, op]) => main.appendChild(renderOperation(spec, path, method, op)));
  });
  main.appendChild(el("h2", "Schemas"));
  Object.entries(spec.components.schemas).forEach(([name, schema]) => main.appendChild(schemaBlock(name, schema)));
}

document.addEventListener("DOMContentLoaded", () => {
  const main = document.getElementById("docs");
  fetch(main.dataset.spec, { headers: { Accept: "application/json" } })
    .then((response) => response.json())
    .then(render)
    .catch((error) => { main.appendChild(el("p", "Could not load the document: " + error)); });
});
