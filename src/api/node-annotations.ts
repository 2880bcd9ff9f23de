/**
 * Annotations a real node's agent puts on its Node for the API server: where its kubelet
 * endpoint listens (host loopback, since sandbox node addresses are not reachable from the
 * host) and the bearer token it accepts. Simulated nodes have neither.
 */
export const kubeletEndpointAnnotation = 'switchboard.io/kubelet-endpoint';
export const kubeletTokenAnnotation = 'switchboard.io/kubelet-token';
