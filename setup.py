# A shim: all metadata lives in setup.cfg and pyproject.toml.
from setuptools import setup

setup()
