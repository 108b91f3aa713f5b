package dev.fulcrum.proxy.store;

import dev.fulcrum.proxy.api.LoadBalancerConfig;
import java.util.Map;

/**
 * The JSON shape of {@code state.json}.
 *
 * @param highestEpoch read only, from files written before fences were per load balancer; never
 *     written
 * @param fences per load balancer id, the lowest epoch a push must carry: the highest accepted,
 *     kept after a delete so a deposed leader's late push cannot bring a load balancer back
 * @param loadBalancers the applied config of every load balancer, by {@code namespace.name}
 */
record StateFile(
    Long highestEpoch, Map<String, Long> fences, Map<String, LoadBalancerConfig> loadBalancers) {}
