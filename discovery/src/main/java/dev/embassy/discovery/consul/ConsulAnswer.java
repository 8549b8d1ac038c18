package dev.embassy.discovery.consul;

/** A blocking query's result and the {@code X-Consul-Index} it came with. */
record ConsulAnswer<T>(T value, long index) {}
