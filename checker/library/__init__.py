"""The bundled policy library (``policies/library``): what its policies promise and how."""
