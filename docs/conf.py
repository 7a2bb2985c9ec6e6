"""Sphinx configuration for astro_cyclic, on sphinx-astropy's shared settings.

Build with ``sphinx-build -W --keep-going -b html docs docs/_build/html`` (or
``tox -e build_docs``). The build runs the tutorials in ``docs/tutorials/``
with sphinx-gallery and needs no network.
"""

import datetime
import os
import sys
import warnings
from pathlib import Path

from sphinx_astropy.conf.v2 import *  # noqa: F401,F403  (the astropy-affiliated defaults)
from sphinx_astropy.conf.v2 import exclude_patterns, extensions, intersphinx_mapping  # noqa: F401

import torch

import astro_cyclic

project = "astro_cyclic"
author = "astro_cyclic developers"
copyright = f"{datetime.date.today().year}, {author}"
version = astro_cyclic.__version__.split("+")[0]
release = astro_cyclic.__version__

exclude_patterns.append("_build")
html_title = f"{project} v{release}"

# The build must not need the network: intersphinx inventories would be fetched
# from the web, so the mapping is empty and references to other projects' objects
# stay plain text (nitpicky is off for the same reason).
intersphinx_mapping.clear()
nitpicky = False

# -- Offline reading -----------------------------------------------------------
# Math is rendered by MathJax 2 from the jupyter-server-mathjax package, copied into
# the built pages' _static folder: a page read without network access shows
# formulae, not raw LaTeX (Sphinx's default loads MathJax from a CDN).
import jupyter_server_mathjax  # noqa: E402

html_static_path = [str(Path(jupyter_server_mathjax.__file__).parent / "static"), "_static"]
mathjax_path = "MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
html_css_files = ["astro_cyclic.css"]
# Pages without sub-pages (the top level) have nothing for the left "Section
# Navigation" column; without it their text and code blocks get the width.
html_sidebars = {"*": [], "generated/tutorials/*": []}

# Benchmark result files (markdown) shown as tables: docs/_ext/markdown_tables.py.
sys.path.insert(0, str(Path(__file__).parent / "_ext"))
extensions.append("markdown_tables")

# -- API reference (sphinx-automodapi) ----------------------------------------
# Inheritance diagrams need Graphviz, which is not a Python package (and CI has
# none); the class pages say what each class derives from instead.
automodapi_inheritance_diagram = False
# Members inherited from scikit-learn (get_params, set_output, ...) are documented
# by scikit-learn; listing them here would also pull in docstrings that are not
# numpydoc-clean.
automodsumm_inherited_members = False
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
# _templates/autosummary_core/class.rst overrides sphinx-automodapi's class page.
templates_path = ["_templates"]

# -- Tutorials (sphinx-gallery) -----------------------------------------------
# The tutorials are executed during the build. They use tiny networks and few
# epochs so the whole build stays within a few minutes on two CPU cores; one
# torch thread avoids oversubscribing a busy machine (the networks are small
# enough that more threads do not help).
torch.set_num_threads(1)

# Tutorial 4 reads the real EROS-1 light curves when they are found: from
# $ASTRO_CYCLIC_DATA, else from the shared data folder beside the repository
# (as the tests do). Without them it falls back to the synthetic survey.
_SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
if not os.environ.get("ASTRO_CYCLIC_DATA") and _SHARED_DATA.is_dir():
    os.environ["ASTRO_CYCLIC_DATA"] = str(_SHARED_DATA)

# lightkurve warns on import that an optional sub-module it does not need here
# (tpfmodel, for pixel-level fitting) is unavailable; it is not about our code.
warnings.filterwarnings("ignore", message=".*tpfmodel submodule is not available.*", category=UserWarning)

extensions.append("sphinx_gallery.gen_gallery")
sphinx_gallery_conf = {
    "examples_dirs": "tutorials",
    "gallery_dirs": "generated/tutorials",
    # Every script in the folder is a tutorial and is executed.
    "filename_pattern": r".*\.py$",
    # By name (as a string, so that Sphinx can cache the configuration): 01, 02, ...
    "within_subsection_order": "FileNameSortKey",
    # A failing tutorial fails the build, after the other tutorials have run.
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_memory": False,
    "min_reported_time": 1,
}

# Figures made by ``.. plot::`` directives (the overview's Figure 1).
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
