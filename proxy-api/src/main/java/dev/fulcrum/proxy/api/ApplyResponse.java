package dev.fulcrum.proxy.api;

/** The ACK of a PUT: the config is validated, swapped in and persisted. */
public record ApplyResponse(String appliedVersion, long epoch) {}
