"""Small built-in word lists the demo generator draws realistic Russian and English names from.

Kept in the add-on rather than taken from a fake-data library: the generator
needs a few hundred words, not a dependency.
"""
from __future__ import annotations

# -- companies --------------------------------------------------------------------------

RU_COMPANY_FORMS = ["ООО", "АО", "ПАО", "ЗАО", "ООО ТД", "ООО НПП", "ООО ГК"]
RU_COMPANY_ROOTS = [
    "Техно", "Строй", "Агро", "Энерго", "Лифт", "Фарм", "Пласт", "Мото", "Зерно", "Транс", "Спец", "Пром",
    "Сиб", "Урал", "Волга", "Норд", "Альфа", "Вектор", "Гранит", "Сокол", "Меридиан", "Атлант", "Кедр",
    "Медиа", "Экспо", "Инвест", "Гидро", "Электро", "Нефте", "Хим", "Мед", "Авто", "Металл", "Термо",
]
RU_COMPANY_SUFFIXES = [
    "снаб", "сервис", "пром", "торг", "маш", "монтаж", "комплект", "инжиниринг", "холдинг", "групп",
    "систем", "ресурс", "лайн", "тех", "проект", "строй", "логистик", "дистрибуция",
]
EN_COMPANY_ROOTS = [
    "Northwind", "Blue River", "Atlas", "Silverline", "Greenfield", "Summit", "Redwood", "Oakridge",
    "Brightstar", "Ironbridge", "Harbor", "Pioneer", "Crescent", "Evergreen", "Westgate", "Kingsway",
    "Lakeside", "Highland", "Sterling", "Meridian", "Falcon", "Horizon", "Granite", "Cobalt",
]
EN_COMPANY_KINDS = [
    "Logistics", "Systems", "Foods", "Engineering", "Packaging", "Pharma", "Motors", "Equipment",
    "Trading", "Solutions", "Industries", "Supplies", "Services", "Technologies", "Distribution",
]
EN_COMPANY_FORMS = ["Ltd", "LLC", "GmbH", "Inc.", "plc", "B.V.", "S.A.", "Group"]

# -- places: (country, region, city, phone prefix) --------------------------------------------

RU_PLACES = [
    ("Россия", "Москва", "Москва", "+7 (495)"),
    ("Россия", "Ленинградская область", "Санкт-Петербург", "+7 (812)"),
    ("Россия", "Свердловская область", "Екатеринбург", "+7 (343)"),
    ("Россия", "Новосибирская область", "Новосибирск", "+7 (383)"),
    ("Россия", "Краснодарский край", "Краснодар", "+7 (861)"),
    ("Россия", "Республика Татарстан", "Казань", "+7 (843)"),
    ("Россия", "Нижегородская область", "Нижний Новгород", "+7 (831)"),
    ("Россия", "Самарская область", "Самара", "+7 (846)"),
    ("Украина", "Киевская область", "Киев", "+380 (44)"),
    ("Украина", "Харьковская область", "Харьков", "+380 (57)"),
    ("Украина", "Львовская область", "Львов", "+380 (32)"),
]
EN_PLACES = [
    ("United Kingdom", "England", "London", "+44 20"),
    ("United Kingdom", "England", "Manchester", "+44 161"),
    ("Germany", "Berlin", "Berlin", "+49 30"),
    ("Germany", "Bavaria", "Munich", "+49 89"),
    ("Netherlands", "North Holland", "Amsterdam", "+31 20"),
    ("Poland", "Masovia", "Warsaw", "+48 22"),
    ("United States", "New York", "New York", "+1 (212)"),
    ("United States", "California", "San Francisco", "+1 (415)"),
]
RU_STREETS = ["ул. Ленина", "ул. Гагарина", "пр. Мира", "ул. Садовая", "ул. Заводская", "ш. Энтузиастов",
              "ул. Промышленная", "наб. Реки Мойки", "ул. Советская", "пр. Победы"]
EN_STREETS = ["High Street", "Station Road", "Church Lane", "Main Street", "Park Avenue", "Mill Road",
              "Friedrichstraße", "Harbour Way", "Market Square", "King Street"]

# -- people ------------------------------------------------------------------------------------

#: (first name, patronymic) — male
RU_MALE = [("Александр", "Александрович"), ("Сергей", "Сергеевич"), ("Дмитрий", "Дмитриевич"),
           ("Андрей", "Андреевич"), ("Алексей", "Алексеевич"), ("Максим", "Максимович"),
           ("Иван", "Иванович"), ("Михаил", "Михайлович"), ("Николай", "Николаевич"),
           ("Павел", "Павлович"), ("Олег", "Олегович"), ("Владимир", "Владимирович")]
RU_FEMALE = [("Елена", "Александровна"), ("Ольга", "Сергеевна"), ("Наталья", "Дмитриевна"),
             ("Татьяна", "Андреевна"), ("Ирина", "Алексеевна"), ("Мария", "Михайловна"),
             ("Анна", "Ивановна"), ("Светлана", "Николаевна"), ("Юлия", "Павловна"),
             ("Екатерина", "Олеговна"), ("Марина", "Владимировна"), ("Анастасия", "Викторовна")]
#: Male surnames; the female form adds "а" (Иванов → Иванова).
RU_SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
               "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
               "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин"]
EN_FIRST = ["James", "John", "Robert", "Michael", "David", "Thomas", "Daniel", "Oliver", "Emily", "Emma",
            "Olivia", "Sophie", "Anna", "Laura", "Sarah", "Jessica", "Hannah", "Lucas", "Jan", "Katarzyna"]
EN_LAST = ["Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Roberts",
           "Walker", "Müller", "Schmidt", "Schneider", "Fischer", "de Vries", "Jansen", "Kowalski",
           "Nowak", "Miller", "Clarke", "Wright", "Hughes"]
RU_TITLES = ["Генеральный директор", "Коммерческий директор", "Главный инженер", "Начальник отдела снабжения",
             "Менеджер по закупкам", "Руководитель проекта", "Главный бухгалтер", "Юрист", "Технический директор"]
EN_TITLES = ["CEO", "Sales director", "Chief engineer", "Purchasing manager", "Procurement specialist",
             "Project manager", "Finance director", "Legal counsel", "Operations manager"]

# -- activities ----------------------------------------------------------------------------------

RU_SUBJECTS = {
    "call": ["Позвонить: уточнить потребность", "Звонок по коммерческому предложению", "Напомнить об оплате",
             "Уточнить сроки поставки", "Звонок: обратная связь по монтажу"],
    "meeting": ["Встреча: презентация продукции", "Переговоры по договору", "Встреча на объекте",
                "Согласование технического задания"],
    "task": ["Подготовить коммерческое предложение", "Выставить счёт", "Подготовить договор",
             "Проверить отгрузку", "Согласовать спецификацию"],
    "email": ["Отправить прайс-лист", "Письмо: условия поставки", "Отправить договор на подпись"],
}
EN_SUBJECTS = {
    "call": ["Call: qualify the need", "Follow-up call on the proposal", "Payment reminder call",
             "Call to confirm delivery dates"],
    "meeting": ["Meeting: product presentation", "Contract negotiation", "Site visit", "Quarterly business review"],
    "task": ["Prepare a proposal", "Issue an invoice", "Draft the contract", "Check the shipment"],
    "email": ["Send the price list", "Email: delivery terms", "Send the contract for signature"],
}

_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
     "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "yi", "ye", "g"],
))


def latin(text: str) -> str:
    """A lower-case Latin form of ``text`` for e-mail addresses and web domains."""
    out = []
    for char in text.lower():
        if char in _TRANSLIT:
            out.append(_TRANSLIT[char])
        elif char.isascii() and char.isalnum():
            out.append(char)
        elif char == "ü":
            out.append("u")
    return "".join(out)
