# Outside check that torchvision ResNet-18 learns the synthetic set fast (not run in CI).
# Dump the set first: SWIFT_LAB_DUMP_SYNTHETIC=/tmp/synth swift test ... --filter SyntheticDumpTool
# then: python check_synthetic_resnet18.py 200   (needs torch + torchvision + pillow)
import numpy as np, torch, torchvision, time, sys
from PIL import Image
torch.manual_seed(0); torch.set_num_threads(2)
d='/tmp/synth/'
tr=np.fromfile(d+'train-images.u8',np.uint8).reshape(-1,32,32,3); trl=np.fromfile(d+'train-labels.u8',np.uint8).astype(np.int64)
te=np.fromfile(d+'test-images.u8',np.uint8).reshape(-1,32,32,3); tel=np.fromfile(d+'test-labels.u8',np.uint8).astype(np.int64)
# contact sheet: 2 rows x 10 classes
sheet=np.zeros((64,320,3),np.uint8)
for k in range(10):
    idx=np.where(trl==k)[0][:2]
    for r,i in enumerate(idx): sheet[r*32:(r+1)*32,k*32:(k+1)*32]=tr[i]
Image.fromarray(sheet).resize((960,192),Image.NEAREST).save('/tmp/synth/sheet.png')
def prep(x): return (torch.from_numpy(x).permute(0,3,1,2).float()/255-0.5)/0.5
Xtr,Xte=prep(tr),prep(te); Ytr,Yte=torch.from_numpy(trl),torch.from_numpy(tel)
m=torchvision.models.resnet18(num_classes=10); opt=torch.optim.Adam(m.parameters(),1e-3)
steps=int(sys.argv[1]); g=torch.Generator().manual_seed(0); t=time.time()
for s in range(steps):
    i=torch.randint(0,len(Xtr),(128,),generator=g); x=Xtr[i]
    x=torch.nn.functional.pad(x,(4,4,4,4),value=-1.0); dy,dx=np.random.randint(0,9,2); x=x[:,:,dy:dy+32,dx:dx+32]
    if np.random.rand()<0.5: x=x.flip(3)
    m.train(); loss=torch.nn.functional.cross_entropy(m(x),Ytr[i]); opt.zero_grad(); loss.backward(); opt.step()
    if (s+1)%25==0:
        m.eval()
        with torch.no_grad(): acc=(m(Xte).argmax(1)==Yte).float().mean().item()
        print(f'step {s+1} loss {loss.item():.3f} test acc {acc:.3f} ({time.time()-t:.0f}s)',flush=True)
