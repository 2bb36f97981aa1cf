// Entry for code that requires the package: the built node and credential classes.
module.exports = {
	...require('./dist/credentials/MifumoApi.credentials.js'),
	...require('./dist/nodes/Mifumo/Mifumo.node.js'),
	...require('./dist/nodes/MifumoTrigger/MifumoTrigger.node.js'),
};
