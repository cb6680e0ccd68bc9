import { describe, expect, it } from '@jest/globals';
import type { ServicePort } from '../store/objects.js';
import { portProtocol } from './protocol.js';

const port = (p: Partial<ServicePort>): ServicePort => ({ port: 80, targetPort: 80, protocol: 'TCP', ...p });

describe('portProtocol', () => {
  it('prefers appProtocol over the port name', () => {
    expect(portProtocol(port({ name: 'http', appProtocol: 'tcp' }))).toBe('tcp');
    expect(portProtocol(port({ name: 'tcp-db', appProtocol: 'grpc' }))).toBe('grpc');
    expect(portProtocol(port({ appProtocol: 'kubernetes.io/h2c' }))).toBe('http2');
    expect(portProtocol(port({ appProtocol: 'HTTP' }))).toBe('http');
  });
  it('reads the name prefix when appProtocol is absent or unknown', () => {
    expect(portProtocol(port({ name: 'http-web' }))).toBe('http');
    expect(portProtocol(port({ name: 'http2' }))).toBe('http2');
    expect(portProtocol(port({ name: 'grpc-api' }))).toBe('grpc');
    expect(portProtocol(port({ name: 'grpc', appProtocol: 'example.com/custom' }))).toBe('grpc');
  });
  it('defaults to TCP, including names that merely start with a protocol word', () => {
    expect(portProtocol(port({}))).toBe('tcp');
    expect(portProtocol(port({ name: 'httpd' }))).toBe('tcp');
    expect(portProtocol(port({ name: 'mysql' }))).toBe('tcp');
  });
  it('maps UDP ports to udp whatever their name', () => {
    expect(portProtocol(port({ name: 'http', protocol: 'UDP' }))).toBe('udp');
  });
});
