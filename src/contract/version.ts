/** The shim's version, as package.json says (a test keeps the two equal); no file is read at run time. */
export const SHIM_VERSION = "0.1.0";
