// Mirth Connect / Open Integration Engine — channel Deploy script (runs once per deploy).
// Needs JNA on the server's classpath (jna.jar in custom-lib/, or Mirth's bundled copy) and
// libexplainer.so where JNA looks (jna.library.path, /usr/lib, or LD_LIBRARY_PATH).
// Puts one engine in the globalChannelMap; every message then calls it (mirth_transformer.js),
// concurrently if the channel runs several threads — the engine is thread-safe.
var EXPLAINER_CONFIG = '/etc/explainer/explainerd.properties';

var explainerLib = com.sun.jna.NativeLibrary.getInstance('explainer');
if (explainerLib.getFunction('explainer_abi_version').invokeInt([]) != 1) {
  throw 'libexplainer: ABI version 1 expected';
}
var engineRef = new com.sun.jna.ptr.PointerByReference();
var createStatus = explainerLib.getFunction('explainer_engine_create')
    .invokeInt([EXPLAINER_CONFIG, engineRef]);
if (createStatus != 0) {
  throw 'libexplainer: ' + explainerLib.getFunction('explainer_last_error').invokeString([], false);
}
globalChannelMap.put('explainerEngine', engineRef.getValue());
