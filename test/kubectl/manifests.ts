/** Manifests of the scenarios (shared/scenarios.md), as users write them. */

export const exampleApp = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
  namespace: example
spec:
  replicas: 2
  selector:
    matchLabels:
      app: backend
  template:
    metadata:
      labels:
        app: backend
    spec:
      containers:
      - name: backend
        image: switchboard/testserver
        ports:
        - containerPort: 5000
---
apiVersion: v1
kind: Service
metadata:
  name: backend-service
  namespace: example
spec:
  type: ClusterIP
  sessionAffinity: None
  selector:
    app: backend
  ports:
  - port: 5000
    targetPort: 5000
---
apiVersion: v1
kind: Service
metadata:
  name: pg-service
  namespace: example
spec:
  selector:
    app: pg
  ports:
  - port: 5432
---
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: example
spec:
  ports:
  - port: 3306
---
apiVersion: v1
kind: Endpoints
metadata:
  name: db
  namespace: example
subsets:
- addresses:
  - ip: 10.250.0.7
  - ip: 10.250.0.8
  ports:
  - port: 3306
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: db-manual
  namespace: example
  labels:
    kubernetes.io/service-name: db
addressType: IPv4
endpoints:
- addresses: ["10.250.0.7"]
  conditions:
    ready: true
ports:
- port: 3306
  protocol: TCP
`;

export const nodePortService = `apiVersion: v1
kind: Service
metadata:
  name: nodeport-service
spec:
  type: NodePort
  selector:
    app: nginx
  ports:
  - name: service0
    port: 8080
    targetPort: 80
    nodePort: 30120
    protocol: TCP
`;

export const headlessService = `apiVersion: v1
kind: Service
metadata:
  name: nginx-headless
spec:
  clusterIP: None
  selector:
    app: nginx
  ports:
  - port: 80
`;

export const nginxDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      imagePullSecrets:
      - name: regcred
      containers:
      - name: nginx
        image: nginx:latest
        resources:
          limits:
            memory: "128Mi"
            cpu: "500m"
          requests:
            memory: "64Mi"
            cpu: "250m"
        ports:
        - containerPort: 80
`;

/** S4.8: a StatefulSet `nginx` of 3 governed by the headless Service `nginx` (port name `web`). */
export function nginxStatefulSet(namespace = 'default'): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: nginx
  namespace: ${namespace}
spec:
  clusterIP: None
  selector:
    app: nginx-sts
  ports:
  - name: web
    port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: nginx
  namespace: ${namespace}
spec:
  serviceName: nginx
  replicas: 3
  selector:
    matchLabels:
      app: nginx-sts
  template:
    metadata:
      labels:
        app: nginx-sts
    spec:
      containers:
      - name: nginx
        image: nginx:latest
        ports:
        - name: web
          containerPort: 80
`;
}
