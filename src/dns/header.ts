/** DNS message header layout and flag bits (RFC 1035 4.1.1), and the EDNS sizes in use. */
export const HEADER_BYTES = 12;
export const QR = 0x8000;
export const OPCODE = 0x7800;
export const AA = 0x0400;
export const TC = 0x0200;
export const RD = 0x0100;
export const RA = 0x0080;
/** The OPT pseudo-record's type and its size with no options (RFC 6891). */
export const OPT_TYPE = 41;
export const OPT_BYTES = 11;
/** The EDNS buffer size recommended since DNS flag day 2020, to avoid IP fragmentation. */
export const MAX_UDP_PAYLOAD = 1232;
export const CLASSIC_UDP_PAYLOAD = 512;
