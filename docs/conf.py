"""Sphinx configuration for astro_cyclic, on sphinx-astropy's shared settings."""

import datetime

from sphinx_astropy.conf.v2 import *  # noqa: F401,F403  (the astropy-affiliated defaults)
from sphinx_astropy.conf.v2 import exclude_patterns, extensions, intersphinx_mapping  # noqa: F401

import astro_cyclic

project = "astro_cyclic"
author = "astro_cyclic developers"
copyright = f"{datetime.date.today().year}, {author}"
version = astro_cyclic.__version__.split("+")[0]
release = astro_cyclic.__version__

exclude_patterns.append("_build")
html_title = f"{project} v{release}"

# The build must not need the network: intersphinx inventories are only used
# when a local copy is present (none is shipped yet), so clear the mapping.
intersphinx_mapping.clear()
nitpicky = False
