"""End to end: an MLP built from nn + optim + data reaches >= 95% on the 8x8 digits, fast."""
from __future__ import annotations

import time

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.data import DataLoader, TensorDataset, load_digits


def test_mlp_reaches_95_percent_on_digits_in_under_20_seconds():
    start = time.perf_counter()
    tg.manual_seed(0)
    X_train, y_train = load_digits("train")
    X_test, y_test = load_digits("test")
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(15):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    model.eval()
    with tg.no_grad():
        accuracy = (model(X_test).argmax(1) == y_test).float().mean().item()
    seconds = time.perf_counter() - start
    print(f"digits MLP 64-128-10: test accuracy {accuracy:.4f} in {seconds:.2f} s")
    assert accuracy >= 0.95, f"test accuracy {accuracy:.3f} < 0.95"
    assert seconds < 20, f"training took {seconds:.1f} s (budget 20 s)"
