/**
 * Manifests the real-node tests share: scenario S1's backend (Service `backend-service` and a
 * 2-replica Deployment of the tutorial server on 5000, spread over the nodes, Ready by /healthy).
 */
export const backendApp = `apiVersion: v1
kind: Service
metadata: {name: backend-service, namespace: example}
spec:
  selector: {app: backend}
  ports: [{port: 5000, targetPort: 5000}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend, namespace: example}
spec:
  replicas: 2
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec:
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: backend}}}
      containers:
      - name: backend
        image: switchboard/testserver
        ports: [{name: http, containerPort: 5000}]
        readinessProbe:
          httpGet: {path: /healthy, port: http}
          periodSeconds: 1
        livenessProbe:
          tcpSocket: {port: 5000}
          periodSeconds: 1
`;
