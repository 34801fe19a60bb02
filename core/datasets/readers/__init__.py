"""Readers of the file formats data sets come in: IDX, CSV, NPZ, folders of images, UNIPEN.

Each reader turns files into arrays (uint8 images, integer labels) and says in a DataError
which file is wrong and how; none knows about the catalogue, imports or collections.
"""
