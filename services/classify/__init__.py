"""The classify service and its engine. When a current mypyc build of the engine exists (see `native`), its
directory comes first on this package's path, so `services.classify.rules` and the other engine modules load
compiled; otherwise they load as Python."""

from services.classify import native

if native.usable():
    __path__.insert(0, str(native.NATIVE_DIR))
