"""From a design to a printed image: the design and its rules (what scans), the matrix (payload ->
modules), the render with its zxing proof, and hostile-input-safe logos. The built-in image formats
are the plugins in `exaroutes.renderers`."""
