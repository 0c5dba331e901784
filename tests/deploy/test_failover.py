"""Replicas behind a load balancer (deploy/haproxy.cfg and deploy/nginx.conf, Debian's haproxy
and nginx): two `narcokg serve` on loopback, a bounded load through the proxy, one replica
SIGKILLed (at most one failed request) or drained with SIGTERM (none)."""

from __future__ import annotations

import os
import signal

import pytest

from proxy_helpers import PROXIES, bounded_load, process_tree, start_cluster, stop_cluster


@pytest.fixture(params=PROXIES)
def cluster(request, built, tmp_path):
    c = start_cluster(request.param, built.out_dir, tmp_path)
    yield c
    stop_cluster(c)


def test_one_replica_killed_during_load_costs_at_most_one_request(cluster):
    def kill() -> None:
        for pid in process_tree(cluster.replicas[0].proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    done, failures = bounded_load(cluster.base, 5.0, 1.5, kill)
    print(f"{cluster.kind} SIGKILL: {done} requests, {len(failures)} failed")
    assert done > 100
    assert len(failures) <= 1, failures


def test_one_replica_drained_with_sigterm_costs_no_request(cluster):
    replica = cluster.replicas[0]
    done, failures = bounded_load(cluster.base, 5.0, 1.5, lambda: replica.proc.send_signal(signal.SIGTERM))
    assert replica.proc.wait(timeout=30) == 0
    print(f"{cluster.kind} SIGTERM: {done} requests, {len(failures)} failed")
    assert done > 100
    assert failures == []
