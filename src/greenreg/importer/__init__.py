"""Importing published announcement lists: from a list file to signed acts in the registry.

The flow, one module per step:

- :mod:`~greenreg.importer.lists` reads a list file (CSV or XLSX in the column layout MIIT
  publishes: 序号, 地区, the name column, 行业, 第三方评价机构, 批次) into rows;
- :mod:`~greenreg.importer.regions` maps each row's region as listed to a GB/T 2260 province;
- :mod:`~greenreg.importer.names` turns a listed name into the unit's name and its dedupe key;
- :mod:`~greenreg.importer.announcements` groups rows into announcements (one notice, its date
  and document number) and knows the lists shipped in ``greenreg/data/miit``;
- :mod:`~greenreg.importer.transcription` writes the signed acts of one announcement;
- :mod:`~greenreg.importer.loading` submits each announcement in one transaction and, on an
  empty store, founds the registry and loads the shipped lists (what ``greenreg serve`` calls).
"""
