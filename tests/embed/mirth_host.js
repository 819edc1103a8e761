// Runs the Mirth samples (docs/examples/embedding/mirth_*.js) under Rhino with JNA, as Mirth
// would: deploy once, the transformer per message, undeploy. Mirth's maps, connectorMessage and
// logger are stand-ins. usage: rhino mirth_host.js SAMPLES_DIR CONFIG OUTDIR FILE...
var samples = arguments[0], config = arguments[1], outdir = arguments[2];
var globalChannelMap = new java.util.HashMap();
var channelMap = new java.util.HashMap();
var logger = { warn: function (text) { java.lang.System.err.println(text); } };
var connectorMessage = null;

function source(name) {
  var text = new java.lang.String(java.nio.file.Files.readAllBytes(
      java.nio.file.Paths.get(samples, name)), 'UTF-8');
  return String(text).replace('/etc/explainer/explainerd.properties', config);
}

eval(source('mirth_deploy.js'));
for (var i = 3; i < arguments.length; i++) {
  var raw = new java.lang.String(java.nio.file.Files.readAllBytes(
      java.nio.file.Paths.get(arguments[i])), 'UTF-8');
  connectorMessage = { getRawData: function () { return raw; } };
  channelMap.clear();
  eval(source('mirth_transformer.js'));
  var delivered = new java.lang.String(channelMap.get('explainerMessage'));
  java.nio.file.Files.write(java.nio.file.Paths.get(outdir, (i - 2) + '.out'),
      delivered.getBytes('UTF-8'));
}
eval(source('mirth_undeploy.js'));
if (globalChannelMap.containsKey('explainerEngine')) throw 'undeploy left the engine';
