"""The Datasets tab, one module per panel.

- ``catalogue_list``: the list of every data set, one row each (title, status, Download).
- ``sample_browser``: what a loaded set shows: split/class filter, thumbnail grid, the
  clicked sample's pixels, the class charts; deleting a drawing of a collection.
- ``loader``: which set is loading, which one waits, cancelling a load the user left.
- ``download_panel``: a download's progress, Cancel, and its outcome said in words.
- ``import_dialog``: choose files or a folder, preview, Add.
- ``tab``: composes them and is the tab's public face.
"""
