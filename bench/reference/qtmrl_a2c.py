#!/usr/bin/env python3
"""PyTorch reference for `lab bench reference`: QTMRL's A2C (seed 003) written plainly.

Same shape as the lab's benchmark (src/core/bench/train.ts): 16 assets, window 20, 28 features,
8 envs x rollout 50 = 400 env steps per update, the TimeCNN actor-critic with the lab's layer sizes:
  per window and asset: Conv1d(F->64, k=3) ReLU, Conv1d(64->64, k=3) ReLU, mean over time -> z_i
  merge: Linear(64 + position + cash -> 64) ReLU
  cross-asset: one single-head self-attention block with a residual (--cross attention, the lab's
               default) or nothing (--cross none)
  actor: per-asset head Linear(64->64) ReLU Linear(64->3); critic: mean over assets ++ cash ->
  Linear(65->64) ReLU Linear(64->1)
A2C: gamma 0.96, GAE lambda 1, entropy 0.05, value coef 1.0, grad clip 1.0, Adam lr 1e-5.
The env is numpy (buy 20% of cash, sell 50% of the position, 0.05% fee, episodes of 500 days from a
random start), and every observation copies its W x N x F window: the per-window design the lab's
per-(asset, day) path is compared against. Prints one JSON object on stdout.
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class TimeCnnActorCritic(nn.Module):
    def __init__(self, n_assets, n_features, d=64, k=3, cross="attention"):
        super().__init__()
        self.n, self.d = n_assets, d
        self.conv1 = nn.Conv1d(n_features, d, k)
        self.conv2 = nn.Conv1d(d, d, k)
        self.merge = nn.Linear(d + 2, d)
        self.cross = cross
        if cross == "attention":
            self.qkv = nn.Linear(d, 3 * d)
            self.out = nn.Linear(d, d)
        self.actor = nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Linear(d, 3))
        self.critic = nn.Sequential(nn.Linear(d + 1, d), nn.ReLU(), nn.Linear(d, 1))

    def forward(self, window, pos, cash):
        # window [B, W, N, F] -> per asset sequences [B*N, F, W]
        B, W, N, Fe = window.shape
        x = window.permute(0, 2, 3, 1).reshape(B * N, Fe, W)
        h = F.relu(self.conv2(F.relu(self.conv1(x))))
        z = h.mean(dim=2).reshape(B, N, self.d)
        cat = torch.cat([z, pos.unsqueeze(2), cash.view(B, 1, 1).expand(B, N, 1)], dim=2)
        h = F.relu(self.merge(cat))
        if self.cross == "attention":
            q, k, v = self.qkv(h).chunk(3, dim=2)
            att = torch.softmax(q @ k.transpose(1, 2) / self.d**0.5, dim=2)
            h = h + self.out(att @ v)
        logits = self.actor(h)  # [B, N, 3]
        value = self.critic(torch.cat([h.mean(dim=1), cash.view(B, 1)], dim=1)).squeeze(1)
        return logits, value


class TradingEnvs:
    """K numpy trading envs over one synthetic market (QTMRL's rules, simplified bookkeeping)."""

    def __init__(self, X, close, k, window, episode_length, rng):
        self.X, self.close, self.k, self.w, self.len = X, close, k, window, episode_length
        self.rng = rng
        T, N, _ = X.shape
        self.n = N
        self.t = np.zeros(k, dtype=np.int64)
        self.end = np.zeros(k, dtype=np.int64)
        self.cash = np.zeros(k)
        self.pos = np.zeros((k, N))
        for i in range(k):
            self.reset(i)

    def reset(self, i):
        self.t[i] = self.w - 1 + self.rng.integers(0, self.X.shape[0] - self.w - self.len)
        self.end[i] = self.t[i] + self.len
        self.cash[i] = 1e6
        self.pos[i] = 0.0

    def value(self, i):
        return self.cash[i] + float(self.pos[i] @ self.close[self.t[i]])

    def obs(self):
        win = np.stack([self.X[t - self.w + 1 : t + 1] for t in self.t])  # [K, W, N, F] copy
        p = np.stack([self.value(i) for i in range(self.k)])
        posw = self.pos * self.close[self.t] / p[:, None]
        return win, posw.astype(np.float32), (self.cash / p).astype(np.float32)

    def step(self, actions, fee=0.0005):
        rewards = np.zeros(self.k, dtype=np.float32)
        dones = np.zeros(self.k, dtype=np.float32)
        for i in range(self.k):
            t, a = self.t[i], actions[i]
            price = self.close[t]
            before = self.value(i)
            sell = a == 2
            qty = self.pos[i] * 0.5 * sell
            self.cash[i] += float(qty @ price) * (1 - fee)
            self.pos[i] -= qty
            buys = np.flatnonzero(a == 1)
            if len(buys):
                budget = self.cash[i] * (1 - 0.8 ** len(buys)) / len(buys)
                self.pos[i, buys] += budget / (1 + fee) / price[buys]
                self.cash[i] -= budget * len(buys)
            self.t[i] += 1
            rewards[i] = self.value(i) / before - 1
            if self.t[i] >= self.end[i]:
                dones[i] = 1
                self.reset(i)
        return rewards, dones


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iterations", type=int, default=6)
    ap.add_argument("--cross", choices=["attention", "none"], default="attention")
    ap.add_argument("--assets", type=int, default=16)
    ap.add_argument("--window", type=int, default=20)
    ap.add_argument("--features", type=int, default=28)
    ap.add_argument("--days", type=int, default=1500)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    N, W, Fe, K, T = args.assets, args.window, args.features, 8, 50
    X = rng.standard_normal((args.days, N, Fe)).astype(np.float32)
    close = 100 * np.exp(np.cumsum(0.01 * rng.standard_normal((args.days, N)), axis=0))
    envs = TradingEnvs(X, close, K, W, 500, rng)
    net = TimeCnnActorCritic(N, Fe, cross=args.cross)
    opt = torch.optim.Adam(net.parameters(), lr=1e-5)
    gamma, ent_coef, vf_coef = 0.96, 0.05, 1.0

    def iteration(t_parts):
        wins, poss, cashs, acts, rews, dns, vals = [], [], [], [], [], [], []
        for _ in range(T):
            t0 = time.perf_counter()
            win, posw, cash = envs.obs()
            t1 = time.perf_counter()
            with torch.no_grad():
                logits, value = net(torch.from_numpy(win), torch.from_numpy(posw), torch.from_numpy(cash))
                a = torch.distributions.Categorical(logits=logits).sample()
            t2 = time.perf_counter()
            r, d = envs.step(a.numpy())
            t3 = time.perf_counter()
            wins.append(win), poss.append(posw), cashs.append(cash), acts.append(a)
            rews.append(r), dns.append(d), vals.append(value)
            t_parts["env"] += (t1 - t0) + (t3 - t2)
            t_parts["act"] += t2 - t1
        t0 = time.perf_counter()
        win, posw, cash = envs.obs()
        with torch.no_grad():
            _, last = net(torch.from_numpy(win), torch.from_numpy(posw), torch.from_numpy(cash))
        ret = last.numpy()
        returns = np.zeros((T, K), dtype=np.float32)
        for t in reversed(range(T)):
            ret = rews[t] + gamma * ret * (1 - dns[t])
            returns[t] = ret
        logits, value = net(
            torch.from_numpy(np.concatenate(wins)),
            torch.from_numpy(np.concatenate(poss)),
            torch.from_numpy(np.concatenate(cashs)),
        )
        dist = torch.distributions.Categorical(logits=logits)
        actions = torch.cat(acts)
        logp = dist.log_prob(actions).sum(1)
        ent = dist.entropy().sum(1)
        ret_t = torch.from_numpy(returns.reshape(-1))
        adv = ret_t - torch.cat(vals)
        loss = -(logp * adv).mean() + vf_coef * ((value - ret_t) ** 2).mean() - ent_coef * ent.mean()
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        t_parts["update"] += time.perf_counter() - t0

    iteration({"env": 0.0, "act": 0.0, "update": 0.0})  # warm-up
    parts = {"env": 0.0, "act": 0.0, "update": 0.0}
    start = time.perf_counter()
    cpu0 = time.process_time()
    for _ in range(args.iterations):
        iteration(parts)
    secs = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    it = args.iterations
    print(
        json.dumps(
            {
                "sps": it * K * T / secs,
                # Env steps per CPU-second of this process: what load from other jobs disturbs least.
                "cpu_sps": it * K * T / cpu,
                "env_ms": 1000 * parts["env"] / it,
                "act_ms": 1000 * parts["act"] / it,
                "update_ms": 1000 * parts["update"] / it,
                "threads": torch.get_num_threads(),
                "torch": torch.__version__,
                "cross": args.cross,
                "iterations": it,
                "params": sum(p.numel() for p in net.parameters()),
            }
        )
    )


if __name__ == "__main__":
    main()
