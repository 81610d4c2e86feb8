'use strict';
// `require('<scope>/wm').binaryPath()`: the native binary, for callers that
// run wm in a hot loop and want to skip the Node launcher.
const { binaryPath } = require('./platform');

module.exports = {
  binaryPath() {
    const tried = [];
    const bin = binaryPath(tried);
    if (!bin) throw new Error(`no wm binary for ${process.platform}-${process.arch}; tried ${tried.join(', ')}`);
    return bin;
  },
};
