{
  "targets": [
    {
      "target_name": "tcp_relay",
      "sources": ["src/tcp_relay.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-std=gnu11"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
