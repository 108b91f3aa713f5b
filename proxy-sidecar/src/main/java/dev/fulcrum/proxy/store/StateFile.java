package dev.fulcrum.proxy.store;

import dev.fulcrum.proxy.api.LoadBalancerConfig;
import java.util.Map;

/**
 * The JSON shape of {@code state.json}.
 *
 * @param highestEpoch the highest operator epoch ever accepted, so a restart still fences a deposed
 *     leader
 * @param loadBalancers the applied config of every load balancer, by {@code namespace.name}
 */
record StateFile(Long highestEpoch, Map<String, LoadBalancerConfig> loadBalancers) {}
