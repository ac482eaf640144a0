/** The part of a fetch Response this client reads. */
export interface TransportResponse {
  status: number;
  statusText: string;
  headers: Headers;
  text(): Promise<string>;
  /** The body as a stream, for reads that must see how many bytes arrived (probes); text() otherwise. */
  body?: AsyncIterable<Uint8Array> | null;
}

export type FetchLike = (url: string, init: RequestInit & { dispatcher?: unknown }) => Promise<TransportResponse>;
