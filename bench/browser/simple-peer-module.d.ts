/** simple-peer's self-contained browser bundle (Buffer, process and events included). */
declare module 'simple-peer/simplepeer.min.js' {
  const SimplePeer: unknown;
  export default SimplePeer;
}
