# Learn the Basics: Save and Load the Model (weights only; torchvision models left out).
import torch
from torch import nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
x = torch.randn(3, 4)
print(model(x))
torch.save(model.state_dict(), "model_weights.pth")
for key, value in model.state_dict().items():
    print(key, value.shape)

model2 = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
print(model2.load_state_dict(torch.load("model_weights.pth", weights_only=True)))
model2.eval()
print(model2(x))
print(torch.equal(model(x), model2(x)))
