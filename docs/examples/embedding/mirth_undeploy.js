// Mirth Connect / Open Integration Engine — channel Undeploy script: frees the engine.
var engine = globalChannelMap.get('explainerEngine');
if (engine != null) {
  com.sun.jna.NativeLibrary.getInstance('explainer').getFunction('explainer_engine_destroy')
      .invokeVoid([engine]);
  globalChannelMap.remove('explainerEngine');
}
