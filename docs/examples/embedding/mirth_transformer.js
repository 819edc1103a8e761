// Mirth Connect / Open Integration Engine — JavaScript transformer step (source or
// destination). Enriches the raw message and puts what to deliver in the channel map as
// 'explainerMessage' (use ${explainerMessage} as the destination's template, or the outbound
// message of a Raw data type). Fail open: when enrichment fails the original goes on, and the
// reason (no patient data) is logged and counted in 'explainerError'.
// Charset: HL7 v2 bytes must reach the library as they arrived; the channel's source charset
// is used here (set EXPLAINER_CHARSET to what your channel decodes with, e.g. ISO-8859-1).
var EXPLAINER_CHARSET = 'UTF-8';

var explainerLib = com.sun.jna.NativeLibrary.getInstance('explainer');
var explainerEngine = globalChannelMap.get('explainerEngine');
var rawMessage = connectorMessage.getRawData();
var input = new java.lang.String(rawMessage).getBytes(EXPLAINER_CHARSET);
var resultRef = new com.sun.jna.ptr.PointerByReference();
var status = explainerLib.getFunction('explainer_enrich').invokeInt([
  explainerEngine, input, new java.lang.Long(input.length), new java.lang.Integer(0),
  new java.lang.Integer(0), resultRef]);
var result = resultRef.getValue();
var delivered = rawMessage;
try {
  if (status == 0) {
    var size = new com.sun.jna.ptr.LongByReference();
    var data = explainerLib.getFunction('explainer_result_data')
        .invokePointer([result, size]);
    delivered = new java.lang.String(data.getByteArray(0, size.getValue()), EXPLAINER_CHARSET);
  } else {
    var reason = explainerLib.getFunction('explainer_result_error')
        .invokeString([result], false);
    channelMap.put('explainerError', reason);
    logger.warn('Explainer: message passed through unenriched: ' + reason);
  }
  channelMap.put('explainerSummary', explainerLib.getFunction('explainer_result_summary')
      .invokeString([result], false));
} finally {
  explainerLib.getFunction('explainer_result_free').invokeVoid([result]);
}
channelMap.put('explainerMessage', delivered);
