// unix-crypt-td-js ships no types.
declare module 'unix-crypt-td-js' {
  /**
   * The DES-based crypt(3): uses the first 8 characters of `password` (7 bits
   * of each char code) and a 2-character salt from [./0-9A-Za-z]; returns
   * the 13-character hash, salt first.
   */
  function unixCryptTD(password: string, salt: string): string;
  export = unixCryptTD;
}
