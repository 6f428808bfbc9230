/* global module */
// What an imported .svg or .css file is in the unit tests: text, as webpack's raw loader gives the build.
module.exports = '<svg xmlns="http://www.w3.org/2000/svg"></svg>';
