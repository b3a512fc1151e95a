// A mail server for the browser specs that accepts every message and keeps it in memory, so a test send from the
// dashboard is delivered and can be read back. bin/ui-tests points the API's ECOMCRM_SMTP_PORT at UI_SMTP_PORT; a spec
// that wants the messages listens there. Plain SMTP on loopback only (no TLS, no AUTH): what the API's Jakarta Mail
// client speaks to a development relay.
import { createServer } from 'node:net';

/** Listens on 127.0.0.1:port; resolves to { messages, close }, each message the raw text as received (headers too). */
export function startSmtpSink(port) {
  const messages = [];
  const server = createServer((socket) => {
    socket.setEncoding('latin1');
    let buffer = '';
    let data = null;
    socket.on('error', () => {});
    socket.write('220 ecomcrm-ui-tests ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data !== null) {
          if (line === '.') {
            messages.push(data);
            data = null;
            socket.write('250 OK\r\n');
          } else {
            // Dot-stuffing: a line starting with "." was sent with one more.
            data += (line.startsWith('.') ? line.slice(1) : line) + '\n';
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 ecomcrm-ui-tests\r\n');
        else if (verb === 'DATA') {
          data = '';
          socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
        } else if (verb === 'QUIT') socket.end('221 Bye\r\n');
        else socket.write('250 OK\r\n'); // MAIL FROM, RCPT TO, RSET, NOOP
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({
      messages,
      close: () => new Promise((done) => server.close(() => done())),
    }));
  });
}
