print("contsec")
